using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;

namespace Atelier.Governance.Jobs;

/// <summary>
/// Long work handed to a worker process. The studio submits (as the signed-in user, checked against the kind's least role,
/// audited); a worker claims the job under its grant and runs it as that user; the user who asked, or an admin, may stop it.
/// Reading a job settles it when its worker is gone, so a killed worker never leaves a job "running".
/// </summary>
public sealed class Jobs(GovernanceSession session)
{
    /// <summary>How long a queued job waits for its worker; after that it is failed and its grant no longer claims it.</summary>
    public static readonly TimeSpan ClaimWindow = TimeSpan.FromMinutes(5);

    private Catalog.Catalog Catalog => session.Workspace.Catalog;

    public JobRecord Submit(JobKind kind, IReadOnlyList<string> args, string? run)
    {
        session.Actor.Require(kind.Least, kind.Description);
        kind.Check(args);
        var job = Catalog.AddJob(kind.Name, args, session.Actor.Name, run, j => JobGrant.Sign(session.Keys, j));
        session.Record(AuditAction.JobSubmitted, new { job = job.Id, kind = kind.Name, args, run }, GovernanceSession.Ref("job", job.Id));
        return job;
    }

    public JobRecord? Get(long id) => Catalog.GetJob(id) is { } job ? Settle(Catalog, job) : null;

    public IReadOnlyList<JobRecord> List(int limit = 100) => [.. Catalog.ListJobs(limit).Select(j => Settle(Catalog, j))];

    public IReadOnlyList<JobRecord> OfRun(string run) => [.. Catalog.ListJobsOfRun(run).Select(j => Settle(Catalog, j))];

    /// <summary>The export jobs of one snapshot, the newest first (its name follows the kind's command in the stored arguments).</summary>
    public IReadOnlyList<JobRecord> ExportsOf(string snapshot)
    {
        var at = JobKind.Export.Command.Count;
        return [.. Catalog.ListJobsOfKind(JobKind.Export.Name).Where(j => j.Args.Count > at && j.Args[at] == snapshot).Select(j => Settle(Catalog, j))];
    }

    /// <summary>Asks a job to stop: a running one stops at its next chance (training writes a checkpoint), a queued one never starts.</summary>
    public JobRecord Stop(long id)
    {
        var job = Get(id) ?? throw new AtelierException("unknown-job", $"no job {id}");
        if (job.User != session.Actor.Name) session.Actor.Require(Role.Admin, "stop another user's job");
        if (!job.IsOpen) throw new AtelierException("job-ended", $"job {id} has ended ({job.State})");
        Catalog.RequestJobStop(id);
        Catalog.EndJob(id, JobState.Queued, JobState.Stopped, null, "stopped before it started");
        session.Record(AuditAction.JobStopRequested, new { job = id }, GovernanceSession.Ref("job", id));
        return Get(id)!;
    }

    /// <summary>
    /// The worker's side: checks the job's grant, kind and arguments and its user, then marks it running under
    /// <paramref name="worker"/>. A one-line refusal for a job that is not this workspace's, ended, or claimed already.
    /// </summary>
    public static JobRecord Claim(GovernanceSession asUser, long id, WorkerProcess worker)
    {
        var catalog = asUser.Workspace.Catalog;
        var job = catalog.GetJob(id) ?? throw new AtelierException("unknown-job", $"no job {id}");
        JobGrant.Verify(asUser.Keys, job);
        if (job.User != asUser.Actor.Name) throw new AtelierException("bad-grant", $"job {id} was asked for by {job.User}, not {asUser.Actor.Name}");
        var kind = JobKind.Parse(job.Kind);
        kind.Check(job.Args);
        asUser.Actor.Require(kind.Least, kind.Description);
        if (job.State == JobState.Queued && DateTimeOffset.UtcNow - job.CreatedAt > ClaimWindow)
        {
            catalog.EndJob(id, JobState.Queued, JobState.Failed, null, "no worker claimed it in time");
            throw new AtelierException("job-expired", $"job {id} waited longer than {ClaimWindow.TotalMinutes:0} minutes for a worker; ask again");
        }
        if (!catalog.ClaimJob(id, worker.ToString()))
            throw new AtelierException("job-claimed", $"job {id} is {catalog.GetJob(id)!.State}: a job runs once");
        return catalog.GetJob(id)!;
    }

    /// <summary>The worker's last word on its job: the state its command's exit code means, and the reason it gave.</summary>
    public static void End(GovernanceSession asUser, JobRecord job, int exitCode, string? message)
    {
        var state = exitCode switch { 0 => JobState.Succeeded, 130 => JobState.Stopped, _ => JobState.Failed };
        if (asUser.Workspace.Catalog.EndJob(job.Id, JobState.Running, state, exitCode, message))
            asUser.Record(AuditAction.JobEnded, new { job = job.Id, state, exitCode }, GovernanceSession.Ref("job", job.Id));
    }

    /// <summary>A running job whose worker is gone failed; a queued one nobody claimed in time failed too.</summary>
    private static JobRecord Settle(Catalog.Catalog catalog, JobRecord job)
    {
        var ended = job.State switch
        {
            JobState.Running when WorkerProcess.Parse(job.Worker)?.IsGone() == true =>
                catalog.EndJob(job.Id, JobState.Running, JobState.Failed, null, "its worker ended without finishing (killed, or its machine stopped)"),
            JobState.Queued when DateTimeOffset.UtcNow - job.CreatedAt > ClaimWindow =>
                catalog.EndJob(job.Id, JobState.Queued, JobState.Failed, null, "no worker claimed it in time"),
            _ => false,
        };
        return ended ? catalog.GetJob(job.Id)! : job;
    }
}
