using System.Diagnostics;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Jobs;
using Microsoft.Data.Sqlite;

namespace Atelier.Cli.Tests;

/// <summary>
/// <c>atelier job run</c> as a real process, on jobs submitted as the studio submits them: it acts as the user who asked, runs
/// exactly the granted command once, stops with a checkpoint when asked, and a killed worker's job is settled as failed.
/// </summary>
public class JobCommandTests
{
    private static readonly string[] Tiny = ["--resolution", "32", "--batch", "16", "--device", "cpu"];

    private static JobRecord Submit(CliRunner cli, string user, JobKind kind, string[] args, string? run = null)
    {
        using var ws = Workspace.Open(cli.Directory);
        return new Jobs(GovernanceSession.OpenAs(ws, _ => null, user)).Submit(kind, args, run);
    }

    private static JobRecord Job(CliRunner cli, long id)
    {
        using var ws = Workspace.Open(cli.Directory);
        return new Jobs(GovernanceSession.OpenAs(ws, _ => null, "rita")).Get(id)!;
    }

    private static Task<CliResult> Work(CliRunner cli, long id) =>
        AtelierProcess.RunAsync(["job", "run", id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workspace", cli.Directory], TestContext.Current.CancellationToken);

    private static JsonElement Result(CliRunner cli, long id)
    {
        using var ws = Workspace.Open(cli.Directory);
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(ws.JobDirectory(id), Workspace.JobFiles.Result))).RootElement;
    }

    private static CliRunner WithReviewer()
    {
        var cli = TrainingCommandTests.WithDataset();
        cli.Ok("user", "add", "rita", "--role", "reviewer");
        cli.Environment["VIC_TOKEN"] = cli.Ok("user", "add", "vic", "--role", "viewer", "--json").Json.GetProperty("token").GetString()!;
        return cli;
    }

    [Fact]
    public async Task AWorkerTrainsSamplesAndVerifiesAsTheUserWhoAsked()
    {
        using var cli = WithReviewer();
        var train = Submit(cli, "rita", JobKind.Train, ["train", "--dataset", "faces", "--name", "j1", "--kimg", "0.032", "--snapshot-kimg", "0.032", .. Tiny], "j1");
        var worked = await Work(cli, train.Id);
        Assert.True(worked.Code == 0, worked.Error);
        Assert.Equal((JobState.Succeeded, 0), (Job(cli, train.Id).State, Job(cli, train.Id).ExitCode));
        Assert.Equal("finished", Result(cli, train.Id).GetProperty("status").GetString());

        // Relative paths land in the job's folder; the samples are recorded as rita's.
        var sample = Submit(cli, "rita", JobKind.Sample, ["sample", "--run", "j1", "--n", "2", "--out", "samples"], "j1");
        Assert.Equal(0, (await Work(cli, sample.Id)).Code);
        var paths = Result(cli, sample.Id).GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("path").GetString()!).ToArray();
        using (var ws = Workspace.Open(cli.Directory))
            Assert.All(paths, p => Assert.StartsWith(Path.Combine(ws.JobDirectory(sample.Id), "samples"), p));

        // A viewer may verify.
        var verify = Submit(cli, "vic", JobKind.Verify, ["verify", .. paths]);
        Assert.Equal(0, (await Work(cli, verify.Id)).Code);
        var files = Result(cli, verify.Id).GetProperty("files");
        Assert.All(files.EnumerateArray(), f => Assert.True(f.GetProperty("identified").GetBoolean()));

        using (var ws = Workspace.Open(cli.Directory))
        {
            var audit = ws.Catalog.AllAuditEntries();
            Assert.Equal("rita", audit.Single(a => a.Action == "training-start").Actor);
            Assert.Equal("rita", audit.Single(a => a.Action == "sampling").Actor);
            Assert.Equal(3, audit.Count(a => a.Action == "job-ended"));
            Assert.Equal(["rita", "rita", "vic"], audit.Where(a => a.Action == "job-submitted").Select(a => a.Actor));
        }
        Assert.Equal(0, cli.Run("audit", "verify").Code);
        Assert.Contains("succeeded  verify", cli.Ok("job", "list").Out);
    }

    [Fact]
    public async Task AChangedJobIsRefusedAJobRunsOnceAndOnlyItsKindsCommand()
    {
        using var cli = WithReviewer();
        var job = Submit(cli, "vic", JobKind.Verify, ["verify", "nothing.png"]);
        using (var db = new SqliteConnection($"Data Source={Path.Combine(cli.Directory, ".atelier", "catalog.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = $"UPDATE jobs SET args = '[\"user\",\"add\",\"mallory\",\"--role\",\"admin\"]', kind = 'verify' WHERE id = {job.Id}";
            cmd.ExecuteNonQuery();
        }
        var forged = await Work(cli, job.Id);
        Assert.Equal(1, forged.Code);
        Assert.Equal($"atelier: job {job.Id} has no valid grant from this workspace's keys; it was not made by the studio, or was changed since", forged.Error.Trim());
        Assert.DoesNotContain("mallory", cli.Ok("user", "list").Out);

        var once = Submit(cli, "vic", JobKind.Verify, ["verify", "missing.png"]);
        Assert.Equal(1, (await Work(cli, once.Id)).Code);   // the file is missing: the job ran and failed with verify's reason
        Assert.Equal(JobState.Failed, Job(cli, once.Id).State);
        var again = await Work(cli, once.Id);
        Assert.Equal($"atelier: job {once.Id} is failed: a job runs once", again.Error.Trim());

        var refused = Assert.Throws<AtelierException>(() => Submit(cli, "vic", JobKind.Train, ["train", "--dataset", "faces"]));
        Assert.Equal("vic (viewer) may not train a model: that needs the reviewer role", refused.Message);
        Assert.Contains("may not set --as", Assert.Throws<AtelierException>(() => Submit(cli, "rita", JobKind.Verify, ["verify", "x.png", "--as", "owner"])).Message);
        Assert.Contains("not `atelier user add`", Assert.Throws<AtelierException>(() => Submit(cli, "rita", JobKind.Export, ["user", "add", "m"])).Message);
        Assert.Contains("is a resume job", Assert.Throws<AtelierException>(() => Submit(cli, "rita", JobKind.Train, ["train", "--resume", "j1"])).Message);
    }

    [Fact]
    public async Task AStoppedJobLeavesACheckpointToResumeAndAKilledWorkersJobFails()
    {
        using var cli = WithReviewer();
        var ct = TestContext.Current.CancellationToken;
        var long_ = Submit(cli, "rita", JobKind.Train, ["train", "--dataset", "faces", "--name", "j2", "--kimg", "20", "--tick-kimg", "0.016", .. Tiny], "j2");
        var worker = Work(cli, long_.Id);
        using (var ws = Workspace.Open(cli.Directory))
            await WaitFor(() => File.Exists(Path.Combine(ws.RunDirectory("j2"), Workspace.RunFiles.Metrics)) && File.ReadAllLines(Path.Combine(ws.RunDirectory("j2"), Workspace.RunFiles.Metrics)).Length > 0, ct);
        Assert.Contains("may not stop another user's job", cli.Run("job", "stop", long_.Id.ToString(), "--as", "vic", "--token", cli.Environment["VIC_TOKEN"]).Error);
        Assert.Equal($"Job {long_.Id} was asked to stop", cli.Ok("job", "stop", long_.Id.ToString()).Out.Trim());  // the owner, an admin
        var stopped = await worker;
        Assert.Equal(130, stopped.Code);
        Assert.Equal(JobState.Stopped, Job(cli, long_.Id).State);
        using (var ws = Workspace.Open(cli.Directory))
        {
            var run = ws.Catalog.GetRun("j2")!;
            Assert.Equal(RunStatus.Stopped, run.Status);
            Assert.NotEmpty(ws.Catalog.ListCheckpoints(run.Id));
            // The job's log follows the training as a terminal would (one line a tick), though the job asks for --json.
            var log = File.ReadAllLines(Path.Combine(ws.JobDirectory(long_.Id), Workspace.JobFiles.Log));
            Assert.Contains(log, l => l.StartsWith("kimg ", StringComparison.Ordinal) && l.Contains(" s/kimg", StringComparison.Ordinal));
            Assert.StartsWith("atelier: interrupted", log[^1]);
        }

        var resume = Submit(cli, "rita", JobKind.Resume, ["train", "--resume", "j2", "--kimg", "40"], "j2");
        var process = AtelierProcess.Start("job", "run", resume.Id.ToString(), "--workspace", cli.Directory);
        await WaitFor(() => Job(cli, resume.Id).State == JobState.Running && RunStatusOf(cli, "j2") == RunStatus.Running, ct);
        // The worker and the threads it trains on yield the CPU to the studio's requests (nice 10).
        var nice = Directory.GetDirectories($"/proc/{process.Id}/task").Select(task => NiceOf(Path.Combine(task, "stat"))).ToList();
        Assert.True(nice.All(n => n == 10), $"every thread of the worker runs at nice 10: {string.Join(' ', nice)}");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(ct);
        var settled = Job(cli, resume.Id);
        Assert.Equal(JobState.Failed, settled.State);
        Assert.Equal("its worker ended without finishing (killed, or its machine stopped)", settled.Message);
        // The run it was training is not left "running" either, for the CLI as for the studio.
        Assert.Equal(RunStatus.Failed, RunStatusOf(cli, "j2"));
        var shown = cli.Ok("runs", "show", "j2").Out;
        Assert.Contains("failed", shown);
        Assert.Contains("continue it from its last checkpoint with `atelier train --resume j2`", shown);
    }

    /// <summary>The nice value in /proc/PID/task/TID/stat: the 19th field, counted after the command name's closing parenthesis.</summary>
    private static int NiceOf(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string RunStatusOf(CliRunner cli, string run)
    {
        using var ws = Workspace.Open(cli.Directory);
        return ws.Catalog.GetRun(run)!.Status;
    }

    private static async Task WaitFor(Func<bool> condition, CancellationToken ct)
    {
        while (!condition()) await Task.Delay(100, ct);
    }
}
