namespace Atelier.Catalog;

/// <summary>
/// Run statuses as stored; a run is "running" only while a process trains it. The catalog keeps which process that is, and
/// reading a run whose process is gone settles it as failed, so a killed training never leaves a run "running".
/// </summary>
public static class RunStatus
{
    public const string Running = "running";
    public const string Stopped = "stopped";
    public const string Finished = "finished";
    public const string Failed = "failed";
}

public sealed partial class Catalog
{
    /// <summary>
    /// Claims the run name: of two processes starting a run with the same name at once, exactly one
    /// gets it (the check and the insert share the write lock) and the other is refused with run-exists.
    /// A run initialised from a checkpoint (<paramref name="initCheckpointId"/>) is refused here, under the same write lock
    /// as the insert, when that checkpoint is tainted: a consent withdrawn at the same moment either refuses the run or,
    /// committed after it, reaches it through <see cref="TaintDownstream"/>; never neither.
    /// </summary>
    public RunRecord AddRun(string name, SnapshotRecord snapshot, string model, string configJson, string software, long? initCheckpointId = null) =>
        InWriteTransaction(() => InsertRun(name, snapshot, model, configJson, software, initCheckpointId));

    private RunRecord InsertRun(string name, SnapshotRecord snapshot, string model, string configJson, string software, long? initCheckpointId)
    {
        if (GetRun(name) is not null)
            throw new AtelierException("run-exists", $"a run named '{name}' already exists (continue it with --resume {name}, or choose another --name)");
        if (initCheckpointId is { } init && TaintsOf(TaintKind.Checkpoint, init) is [var first, ..])
            throw new AtelierException("tainted", $"checkpoint {init} is tainted and cannot initialise a run: {first.Cause}");
        var now = DateTimeOffset.UtcNow;
        var id = (long)Scalar(
            "INSERT INTO runs(name, snapshot_id, snapshot_root, model, config, software, status, images_seen, created_at, updated_at, init_checkpoint_id, worker) " +
            "VALUES($n, $s, $r, $m, $c, $v, $st, 0, $t, $t, $ic, $w) RETURNING id",
            ("$n", name), ("$s", snapshot.Id), ("$r", snapshot.RootHash), ("$m", model), ("$c", configJson), ("$v", software),
            ("$st", RunStatus.Running), ("$t", Time(now)), ("$ic", initCheckpointId), ("$w", WorkerProcess.Current().ToString()))!;
        return new RunRecord(id, name, snapshot.Id, snapshot.RootHash, model, configJson, software, RunStatus.Running, 0, null, now, now, initCheckpointId);
    }

    /// <summary>Runs whose weights started from this checkpoint (--init-from).</summary>
    public IReadOnlyList<RunRecord> RunsInitialisedFrom(long checkpointId) => ReadRuns("WHERE init_checkpoint_id = $c", ("$c", checkpointId));

    public RunRecord? GetRun(string name) => ReadRuns("WHERE name = $n", ("$n", name)).FirstOrDefault();

    public RunRecord? GetRun(long id) => ReadRuns("WHERE id = $i", ("$i", id)).FirstOrDefault();

    public IReadOnlyList<RunRecord> ListRuns() => ReadRuns("");

    public IReadOnlyList<RunRecord> RunsOfSnapshot(long snapshotId) => ReadRuns("WHERE snapshot_id = $s", ("$s", snapshotId));

    /// <summary>
    /// Records progress and state, by the process training the run; <paramref name="message"/> says why a run stopped or failed.
    /// While it is running the run names this process (a resume by another process takes it over).
    /// </summary>
    public void UpdateRun(long runId, string status, long imagesSeen, string? message = null) =>
        Exec("UPDATE runs SET status = $st, images_seen = $i, message = $m, updated_at = $t, worker = CASE WHEN $st = $running THEN $w ELSE worker END WHERE id = $id",
            ("$st", status), ("$i", imagesSeen), ("$m", message), ("$t", Time(DateTimeOffset.UtcNow)), ("$id", runId),
            ("$running", RunStatus.Running), ("$w", WorkerProcess.Current().ToString()));

    public CheckpointRecord AddCheckpoint(long runId, long imagesSeen, string sha256, string fileName, double? score)
    {
        var now = DateTimeOffset.UtcNow;
        // A resumed run may write a checkpoint at the same image count again: the newer file replaces the record.
        var id = (long)Scalar(
            "INSERT INTO checkpoints(run_id, images_seen, sha256, file_name, score, deleted, created_at) VALUES($r, $i, $h, $f, $s, 0, $t) " +
            "ON CONFLICT(run_id, images_seen) DO UPDATE SET sha256 = excluded.sha256, file_name = excluded.file_name, score = excluded.score, deleted = 0, created_at = excluded.created_at " +
            "RETURNING id",
            ("$r", runId), ("$i", imagesSeen), ("$h", sha256), ("$f", fileName), ("$s", score), ("$t", Time(now)))!;
        return new CheckpointRecord(id, runId, imagesSeen, sha256, fileName, score, false, now);
    }

    /// <summary>Notes that a checkpoint's file was pruned; the record stays for lineage.</summary>
    public void MarkCheckpointDeleted(long checkpointId) => Exec("UPDATE checkpoints SET deleted = 1 WHERE id = $i", ("$i", checkpointId));

    public IReadOnlyList<CheckpointRecord> ListCheckpoints(long runId)
    {
        using var cmd = Cmd("SELECT id, run_id, images_seen, sha256, file_name, score, deleted, created_at FROM checkpoints WHERE run_id = $r ORDER BY images_seen", ("$r", runId));
        using var r = cmd.ExecuteReader();
        var list = new List<CheckpointRecord>();
        while (r.Read())
            list.Add(new CheckpointRecord(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetString(4), Dbl(r, 5), r.GetBoolean(6), ParseTime(r.GetString(7))));
        return list;
    }

    private List<RunRecord> ReadRuns(string where, params (string, object?)[] parameters)
    {
        var list = new List<RunRecord>();
        var gone = new List<(int Index, string Worker)>();
        using (var cmd = Cmd($"SELECT id, name, snapshot_id, snapshot_root, model, config, software, status, images_seen, message, created_at, updated_at, init_checkpoint_id, worker FROM runs {where} ORDER BY id", parameters))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                var run = new RunRecord(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                    r.GetString(7), r.GetInt64(8), Str(r, 9), ParseTime(r.GetString(10)), ParseTime(r.GetString(11)), r.IsDBNull(12) ? null : r.GetInt64(12));
                if (run.Status == RunStatus.Running && Str(r, 13) is { } worker && WorkerProcess.Parse(worker)?.IsGone() == true) gone.Add((list.Count, worker));
                list.Add(run);
            }
        foreach (var (index, worker) in gone) list[index] = SettleGoneRun(list[index], worker);
        return list;
    }

    /// <summary>
    /// A run still "running" whose process is gone was killed (or its machine stopped) before it could say so: it is failed, for
    /// every reader alike. Only while it still names that process: a resume that took it over, or the trainer's own last word
    /// written a moment ago, stands.
    /// </summary>
    private RunRecord SettleGoneRun(RunRecord run, string worker)
    {
        var message = $"its training process ended without saying why (killed, or its machine stopped); continue it from its last checkpoint with `atelier train --resume {run.Name}`";
        var now = DateTimeOffset.UtcNow;
        var settled = Exec("UPDATE runs SET status = $failed, message = $m, updated_at = $t WHERE id = $id AND status = $running AND worker = $w",
            ("$failed", RunStatus.Failed), ("$m", message), ("$t", Time(now)), ("$id", run.Id), ("$running", RunStatus.Running), ("$w", worker));
        return settled == 1 ? run with { Status = RunStatus.Failed, Message = message, UpdatedAt = now } : ReadRuns("WHERE id = $i", ("$i", run.Id)).Single();
    }
}
