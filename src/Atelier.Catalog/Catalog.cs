using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

/// <summary>
/// The workspace catalog. All SQL in Atelier lives in this project, behind this class, so that a
/// PostgreSQL catalog for teams can replace SQLite without touching the stages.
/// One instance owns one connection; it is not meant to be shared between threads.
/// </summary>
public sealed partial class Catalog : IDisposable
{
    private readonly SqliteConnection _db;
    private SqliteTransaction? _tx;
    private readonly List<Action> _afterCommit = [];

    public string DatabasePath { get; }

    private Catalog(string path, SqliteConnection db)
    {
        DatabasePath = path;
        _db = db;
    }

    public static Catalog Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            db.Open();
            var catalog = new Catalog(path, db);
            // WAL + NORMAL: a killed process loses at most the open transaction, never consistency.
            catalog.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;");
            catalog.Migrate();
            return catalog;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new AtelierException("bad-catalog", $"cannot open catalog {path}: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>SQLite's own consistency check of the catalog file: "ok" when sound.</summary>
    public string IntegrityCheck() => (string)Scalar("PRAGMA integrity_check")!;

    public int SchemaVersion => Convert.ToInt32(Scalar("PRAGMA user_version"), CultureInfo.InvariantCulture);

    private void Migrate()
    {
        var version = SchemaVersion;
        for (var i = version; i < Schema.Migrations.Length; i++)
        {
            using var tx = BeginTransaction();
            Exec(Schema.Migrations[i]);
            Exec($"PRAGMA user_version = {i + 1}");
            tx.Commit();
        }
    }

    /// <summary>Groups many writes into one transaction (ingest commits in batches for speed).</summary>
    public CatalogTransaction BeginTransaction()
    {
        if (_tx is not null) throw new InvalidOperationException("a transaction is already open");
        _tx = _db.BeginTransaction();
        return new CatalogTransaction(this);
    }

    internal void EndTransaction(bool commit)
    {
        if (_tx is null) return;
        var tx = _tx;
        _tx = null;
        var actions = _afterCommit.ToArray();
        _afterCommit.Clear();
        try
        {
            if (commit) tx.Commit(); else tx.Rollback();
        }
        finally
        {
            // Disposing an uncompleted transaction rolls it back, so a failed COMMIT (a full disk) leaves nothing half-done.
            tx.Dispose();
        }
        if (commit) foreach (var action in actions) action();
    }

    /// <summary>Runs <paramref name="action"/> once the open transaction commits (now, if none is open); dropped on rollback.</summary>
    public void AfterCommit(Action action)
    {
        if (_tx is null) action();
        else _afterCommit.Add(action);
    }

    public bool InTransaction => _tx is not null;

    private SqliteCommand Cmd(string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = _tx;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private SqliteCommand Cmd(string sql, Selector selector)
    {
        var cmd = Cmd(sql);
        for (var i = 0; i < selector.Parameters.Count; i++)
            cmd.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), selector.Parameters[i]);
        return cmd;
    }

    private int Exec(string sql, params (string, object?)[] parameters)
    {
        using var cmd = Cmd(sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string, object?)[] parameters)
    {
        using var cmd = Cmd(sql, parameters);
        var v = cmd.ExecuteScalar();
        return v is DBNull ? null : v;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public void Dispose()
    {
        EndTransaction(commit: false);
        _db.Dispose();
    }
}

public sealed class CatalogTransaction(Catalog catalog) : IDisposable
{
    private bool _done;

    public void Commit()
    {
        _done = true;
        catalog.EndTransaction(commit: true);
    }

    public void Dispose()
    {
        if (!_done) catalog.EndTransaction(commit: false);
        _done = true;
    }
}
