namespace Atelier.Catalog;

public sealed partial class Catalog
{
    public long StartIngest(string sourcesJson) =>
        (long)Scalar("INSERT INTO ingests(started_at, sources, status) VALUES($t, $s, 'running') RETURNING id",
            ("$t", Time(DateTimeOffset.UtcNow)), ("$s", sourcesJson))!;

    public void FinishIngest(long ingestId, string status, string summaryJson) =>
        Exec("UPDATE ingests SET finished_at = $t, status = $s, summary = $j WHERE id = $id",
            ("$t", Time(DateTimeOffset.UtcNow)), ("$s", status), ("$j", summaryJson), ("$id", ingestId));

    /// <summary>Origins whose outcome is final (added, duplicate, or a permanent rejection), so a resumed ingest skips them.</summary>
    public HashSet<string> DoneOrigins()
    {
        using var cmd = Cmd("SELECT origin FROM ingest_done");
        using var r = cmd.ExecuteReader();
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read()) set.Add(r.GetString(0));
        return set;
    }

    public void MarkDone(string origin, long? imageId, string outcome) =>
        Exec("INSERT OR REPLACE INTO ingest_done(origin, image_id, outcome) VALUES($o, $i, $r)", ("$o", origin), ("$i", imageId), ("$r", outcome));

    /// <summary>Stores why an input was not ingested; the same origin and reason is kept once, with the latest message.</summary>
    public void RecordRejection(long? ingestId, string origin, string? source, string code, string message) =>
        Exec("""
             INSERT INTO rejections(ingest_id, origin, source, code, message, at) VALUES($i, $o, $s, $c, $m, $t)
             ON CONFLICT(origin, code) DO UPDATE SET ingest_id = excluded.ingest_id, message = excluded.message, at = excluded.at
             """,
            ("$i", ingestId), ("$o", origin), ("$s", source), ("$c", code), ("$m", message), ("$t", Time(DateTimeOffset.UtcNow)));

    public IReadOnlyList<Rejection> Rejections(string? code = null, int limit = int.MaxValue)
    {
        using var cmd = Cmd("SELECT id, ingest_id, origin, source, code, message, at FROM rejections WHERE ($c IS NULL OR code = $c) ORDER BY id LIMIT $l",
            ("$c", code), ("$l", limit));
        using var r = cmd.ExecuteReader();
        var list = new List<Rejection>();
        while (r.Read())
            list.Add(new Rejection(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), Str(r, 3), r.GetString(4), r.GetString(5), ParseTime(r.GetString(6))));
        return list;
    }

    /// <summary>Stores a file an ingest skipped (not an image to ingest); the same origin is kept once, with the latest reason.</summary>
    public void RecordSkip(long? ingestId, string origin, string? source, string extension, string reason, string message) =>
        Exec("""
             INSERT INTO skipped_files(origin, ingest_id, source, extension, reason, message, at) VALUES($o, $i, $s, $e, $r, $m, $t)
             ON CONFLICT(origin) DO UPDATE SET ingest_id = excluded.ingest_id, source = excluded.source, extension = excluded.extension,
               reason = excluded.reason, message = excluded.message, at = excluded.at
             """,
            ("$o", origin), ("$i", ingestId), ("$s", source), ("$e", extension), ("$r", reason), ("$m", message), ("$t", Time(DateTimeOffset.UtcNow)));

    /// <summary>Forgets a skip once a later ingest took the file after all (its format became readable).</summary>
    public void ForgetSkip(string origin) => Exec("DELETE FROM skipped_files WHERE origin = $o", ("$o", origin));

    public HashSet<string> SkippedOrigins()
    {
        using var cmd = Cmd("SELECT origin FROM skipped_files");
        using var r = cmd.ExecuteReader();
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (r.Read()) set.Add(r.GetString(0));
        return set;
    }

    public IReadOnlyList<SkippedFile> SkippedFiles(int limit = int.MaxValue)
    {
        using var cmd = Cmd("SELECT origin, ingest_id, source, extension, reason, message, at FROM skipped_files ORDER BY extension, origin LIMIT $l", ("$l", limit));
        using var r = cmd.ExecuteReader();
        var list = new List<SkippedFile>();
        while (r.Read())
            list.Add(new SkippedFile(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1), Str(r, 2), r.GetString(3), r.GetString(4), r.GetString(5), ParseTime(r.GetString(6))));
        return list;
    }

    /// <summary>Skipped files counted by extension and reason, most first.</summary>
    public IReadOnlyList<SkippedGroup> SkippedByExtension()
    {
        using var cmd = Cmd("SELECT extension, reason, COUNT(*) FROM skipped_files GROUP BY extension, reason ORDER BY 3 DESC, 1, 2");
        using var r = cmd.ExecuteReader();
        var list = new List<SkippedGroup>();
        while (r.Read()) list.Add(new SkippedGroup(r.GetString(0), r.GetString(1), r.GetInt64(2)));
        return list;
    }
}
