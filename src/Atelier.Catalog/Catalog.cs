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
    private readonly List<(object? Key, Action Action)> _afterCommit = [];

    public string DatabasePath { get; }

    /// <summary>
    /// How long a statement waits for a lock another process holds before giving up with "busy"
    /// (SQLite's busy handler waits this long; Microsoft.Data.Sqlite then retries a busy statement
    /// until its command time-out, set to the same).
    /// </summary>
    public const int BusyTimeoutMs = 30_000;

    private Catalog(string path, SqliteConnection db)
    {
        DatabasePath = path;
        _db = db;
        _writers = WriterQueue.For(path);
    }

    private readonly SemaphoreSlim _writers;

    /// <param name="pooled">
    /// Give the connection back to a pool of this process on dispose instead of closing it, and take one from there: for a
    /// server that opens the catalog for every request. A fresh connection parses the whole schema on its first statement
    /// (about 0.5 ms of CPU); a pooled one has done so already. Off by default, so that a command leaves no file open behind it.
    /// </param>
    public static Catalog Open(string path, bool pooled = false)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = pooled, DefaultTimeout = BusyTimeoutMs / 1000 }.ToString());
        try
        {
            db.Open();
            var catalog = new Catalog(path, db);
            // The busy time-out comes first: switching a new file to WAL takes a lock another process may hold.
            // WAL + NORMAL: a killed process loses at most the open transaction, never consistency; readers never wait for a writer.
            catalog.Exec($"PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
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
        while (SchemaVersion < Schema.Migrations.Length)
        {
            using var tx = BeginTransaction();
            // Read again under the write lock: another process opening the catalog at the same moment may have just migrated it.
            var version = SchemaVersion;
            if (version < Schema.Migrations.Length)
            {
                Exec(Schema.Migrations[version]);
                Exec($"PRAGMA user_version = {version + 1}");
            }
            tx.Commit();
        }
    }

    /// <summary>
    /// Groups many writes into one transaction (ingest commits in batches for speed). It starts with
    /// BEGIN IMMEDIATE: the write lock is taken first (waiting while another process holds it), so
    /// what the transaction reads stays true until it commits, and two writers can never deadlock
    /// upgrading read locks (which SQLite answers with SQLITE_BUSY, whatever the time-out).
    /// </summary>
    public CatalogTransaction BeginTransaction()
    {
        if (_tx is not null) throw new InvalidOperationException("a transaction is already open");
        WriterQueue.Enter(_writers);
        try
        {
            _tx = _db.BeginTransaction(deferred: false);
        }
        catch
        {
            _writers.Release();
            throw;
        }
        return new CatalogTransaction(this);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction of its own, or in the one already open (which then commits it).</summary>
    public T InWriteTransaction<T>(Func<T> body)
    {
        if (_tx is not null) return body();
        using var tx = BeginTransaction();
        var result = body();
        tx.Commit();
        return result;
    }

    internal void EndTransaction(bool commit)
    {
        if (_tx is null) return;
        var tx = _tx;
        _tx = null;
        var actions = _afterCommit.Select(a => a.Action).ToArray();
        _afterCommit.Clear();
        try
        {
            if (commit) tx.Commit(); else tx.Rollback();
        }
        finally
        {
            // Disposing an uncompleted transaction rolls it back, so a failed COMMIT (a full disk) leaves nothing half-done.
            tx.Dispose();
            _writers.Release();
        }
        if (commit) foreach (var action in actions) action();
    }

    /// <summary>
    /// Runs <paramref name="action"/> once the open transaction commits (now, if none is open); dropped on rollback.
    /// With a <paramref name="once"/> key, an action already queued under the same key in this transaction is not queued again.
    /// </summary>
    public void AfterCommit(Action action, object? once = null)
    {
        if (_tx is null) action();
        else if (once is null || !_afterCommit.Exists(a => ReferenceEquals(a.Key, once))) _afterCommit.Add((once, action));
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
