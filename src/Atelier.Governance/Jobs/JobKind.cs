using Atelier.Governance.Access;

namespace Atelier.Governance.Jobs;

/// <summary>
/// The work a job may do: each kind is one CLI command, with the least role that may ask for it. A worker runs nothing else,
/// so a grant can never be turned into, say, <c>user add</c>.
/// </summary>
public sealed record JobKind(string Name, IReadOnlyList<string> Command, Role Least, string Description)
{
    public static readonly JobKind Train = new("train", ["train"], Role.Reviewer, "train a model");
    public static readonly JobKind Resume = new("resume", ["train", "--resume"], Role.Reviewer, "resume a run");
    public static readonly JobKind Sample = new("sample", ["sample"], Role.Reviewer, "sample from a run");
    public static readonly JobKind Verify = new("verify", ["verify"], Role.Viewer, "verify images");
    public static readonly JobKind Export = new("export", ["dataset", "export"], Role.Reviewer, "export a snapshot");
    public static readonly JobKind Features = new("features", ["images", "features"], Role.Reviewer, "compute image features");

    public static readonly JobKind Eval = new("eval", ["eval"], Role.Reviewer, "evaluate models");
    public static readonly JobKind Ingest = new("ingest", ["ingest"], Role.Reviewer, "ingest images");

    public static readonly JobKind Snapshot = new("snapshot", ["dataset", "create"], Role.Reviewer, "create datasets");

    public static IReadOnlyList<JobKind> All { get; } = [Train, Resume, Sample, Verify, Export, Features, Eval, Ingest, Snapshot];

    /// <summary>Options the worker sets itself: who acts, where, and how the answer is written.</summary>
    private static readonly string[] Reserved = ["--as", "--token", "--workspace", "-w", "--json"];

    public static JobKind Parse(string name) =>
        All.FirstOrDefault(k => k.Name == name) ?? throw new AtelierException("bad-job", $"unknown kind of job '{name}': use {string.Join(", ", All.Select(k => k.Name))}");

    /// <summary>Refuses arguments that are not this kind's command, or that name who acts or where.</summary>
    public void Check(IReadOnlyList<string> args)
    {
        if (args.Count < Command.Count || !Command.SequenceEqual(args.Take(Command.Count)))
            throw new AtelierException("bad-job", $"a {Name} job runs `atelier {string.Join(' ', Command)} ...`, not `atelier {string.Join(' ', args.Take(Command.Count))}`");
        if (this == Train && args.Contains("--resume"))
            throw new AtelierException("bad-job", "a train job starts a run; continuing one is a resume job");
        if (args.FirstOrDefault(a => Reserved.Any(r => a == r || a.StartsWith(r + "=", StringComparison.Ordinal))) is { } reserved)
            throw new AtelierException("bad-job", $"a job may not set {reserved.Split('=')[0]}: the worker acts as the user who asked, in the job's workspace");
        if (args.Any(a => a.Any(char.IsControl)))
            throw new AtelierException("bad-job", "a job's arguments hold no control characters");
    }
}
