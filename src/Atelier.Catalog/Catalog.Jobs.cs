using System.Text.Json;

namespace Atelier.Catalog;

/// <summary>A job's states as stored: queued until a worker claims it, running while that worker lives, then one of the ends.</summary>
public static class JobState
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    /// <summary>Stopped on request (training leaves a checkpoint to resume from).</summary>
    public const string Stopped = "stopped";

    public static bool IsOpen(string state) => state is Queued or Running;
}

/// <summary>
/// Long work the studio hands to a worker process: the CLI arguments it runs, who asked, the run it concerns, and the worker
/// (host, process id and start time) once claimed.
/// </summary>
public sealed record JobRecord(long Id, string Kind, IReadOnlyList<string> Args, string User, string? Run, DateTimeOffset CreatedAt, string Grant,
    string State, bool StopRequested, string? Worker, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int? ExitCode, string? Message)
{
    public bool IsOpen => JobState.IsOpen(State);
}

public sealed partial class Catalog
{
    /// <summary>
    /// Adds a queued job. <paramref name="grant"/> signs the stored job (its id is known only here), in the same transaction, so
    /// no worker ever sees a job without its grant.
    /// </summary>
    public JobRecord AddJob(string kind, IReadOnlyList<string> args, string user, string? run, Func<JobRecord, string> grant) =>
        InWriteTransaction(() =>
        {
            var now = DateTimeOffset.UtcNow;
            var argsJson = JsonSerializer.Serialize(args);
            var id = (long)Scalar("INSERT INTO jobs(kind, args, user_name, run_name, created_at, state) VALUES($k, $a, $u, $r, $t, $s) RETURNING id",
                ("$k", kind), ("$a", argsJson), ("$u", user), ("$r", run), ("$t", Time(now)), ("$s", JobState.Queued))!;
            // Read back, so that the grant covers exactly the stored text (times at the catalog's precision).
            var stored = GetJob(id)!;
            var mac = grant(stored);
            Exec("UPDATE jobs SET grant_mac = $g WHERE id = $i", ("$g", mac), ("$i", id));
            return stored with { Grant = mac };
        });

    public JobRecord? GetJob(long id) => ReadJobs("WHERE id = $i", ("$i", id)).FirstOrDefault();

    /// <summary>The newest jobs first.</summary>
    public IReadOnlyList<JobRecord> ListJobs(int limit = 100) => ReadJobs("ORDER BY id DESC LIMIT $l", ("$l", limit));

    public IReadOnlyList<JobRecord> ListJobsOfRun(string run) => ReadJobs("WHERE run_name = $r ORDER BY id DESC", ("$r", run));

    /// <summary>Every job of one kind, the newest first.</summary>
    public IReadOnlyList<JobRecord> ListJobsOfKind(string kind) => ReadJobs("WHERE kind = $k ORDER BY id DESC", ("$k", kind));

    /// <summary>Marks a queued job running under <paramref name="worker"/>; false when it was claimed, stopped or ended already.</summary>
    public bool ClaimJob(long id, string worker) =>
        Exec("UPDATE jobs SET state = $run, worker = $w, started_at = $t WHERE id = $i AND state = $q",
            ("$run", JobState.Running), ("$w", worker), ("$t", Time(DateTimeOffset.UtcNow)), ("$i", id), ("$q", JobState.Queued)) == 1;

    /// <summary>Ends a job that is in <paramref name="from"/>; false when it had left that state (someone ended it first).</summary>
    public bool EndJob(long id, string from, string state, int? exitCode, string? message) =>
        Exec("UPDATE jobs SET state = $s, exit_code = $c, message = $m, finished_at = $t WHERE id = $i AND state = $f",
            ("$s", state), ("$c", exitCode), ("$m", message), ("$t", Time(DateTimeOffset.UtcNow)), ("$i", id), ("$f", from)) == 1;

    /// <summary>Asks the job's worker to stop; false when the job had ended.</summary>
    public bool RequestJobStop(long id) =>
        Exec("UPDATE jobs SET stop_requested = 1 WHERE id = $i AND state IN ($q, $r)", ("$i", id), ("$q", JobState.Queued), ("$r", JobState.Running)) == 1;

    public bool JobStopRequested(long id) => Convert.ToInt64(Scalar("SELECT stop_requested FROM jobs WHERE id = $i", ("$i", id)) ?? 0L) == 1;

    private List<JobRecord> ReadJobs(string tail, params (string, object?)[] parameters)
    {
        using var cmd = Cmd("SELECT id, kind, args, user_name, run_name, created_at, grant_mac, state, stop_requested, worker, started_at, finished_at, exit_code, message " +
                            $"FROM jobs {tail}", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<JobRecord>();
        while (r.Read())
            list.Add(new JobRecord(r.GetInt64(0), r.GetString(1), JsonSerializer.Deserialize<string[]>(r.GetString(2)) ?? [], r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), ParseTime(r.GetString(5)), r.GetString(6), r.GetString(7), r.GetInt64(8) == 1,
                r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : ParseTime(r.GetString(10)), r.IsDBNull(11) ? null : ParseTime(r.GetString(11)),
                r.IsDBNull(12) ? null : r.GetInt32(12), r.IsDBNull(13) ? null : r.GetString(13)));
        return list;
    }
}
