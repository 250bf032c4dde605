using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

/// <summary>
/// Turns what SQLite reports into the one-line reasons users see, so that no SQLite exception (and
/// its stack trace) ever reaches them. Stages and the CLI call <see cref="Describe"/> on failures
/// they did not expect; all knowledge of SQLite's result codes stays in this project.
/// </summary>
public static class CatalogErrors
{
    private const int BusyCode = 5, Locked = 6, ReadOnly = 8, IoErr = 10, Corrupt = 11, Full = 13, NotADatabase = 26;
    private const int UniqueConstraint = 2067, PrimaryKeyConstraint = 1555;

    /// <summary>A one-line reason for a catalog failure found in <paramref name="e"/> (or its inner exceptions); null when there is none.</summary>
    public static AtelierException? Describe(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is not SqliteException s) continue;
            var detail = s.Message.Split('\n')[0];
            return (s.SqliteErrorCode & 0xff) switch
            {
                BusyCode or Locked => Busy(),
                Full => DiskFull.Error("writing the catalog"),
                ReadOnly => new AtelierException("catalog-read-only", $"the catalog cannot be written ({detail})"),
                Corrupt or NotADatabase => new AtelierException("bad-catalog", $"the catalog is damaged ({detail})"),
                IoErr => new AtelierException("catalog-io", $"the catalog could not be read or written ({detail})"),
                _ => new AtelierException("catalog-error", $"the catalog refused a change ({detail})"),
            };
        }
        return null;
    }

    /// <summary>The catalog's write lock was not had within the busy time-out (SQLite's own wait, or this process's queue of writers).</summary>
    internal static AtelierException Busy() => new("catalog-busy",
        $"the catalog stayed locked by other commands for more than {Catalog.BusyTimeoutMs / 1000} s; nothing was changed by the step that waited: run the command again");

    /// <summary>Whether <paramref name="e"/> is SQLite refusing a second row with the same unique key (someone else's insert won).</summary>
    internal static bool IsUniqueViolation(SqliteException e) => e.SqliteExtendedErrorCode is UniqueConstraint or PrimaryKeyConstraint;
}
