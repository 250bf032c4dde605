using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

/// <summary>Recognises "the disk is full" whether the blob store (IOException) or the catalog (SQLITE_FULL) hit it.</summary>
public static class DiskFull
{
    private const int Enospc = 28;
    private const int WindowsDiskFull = 0x70;
    private const int SqliteFull = 13;

    public static bool Is(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is AggregateException a && a.InnerExceptions.Any(Is)) return true;
            if (e is SqliteException s && (s.SqliteErrorCode & 0xff) == SqliteFull) return true;
            if (e is IOException io && ((io.HResult & 0xffff) is Enospc or WindowsDiskFull || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)))
                return true;
        }
        return false;
    }

    public static AtelierException Error(string what) =>
        new("disk-full", $"the disk holding the workspace is full while {what}; what was committed is intact: free space and run the same command again to continue");
}
