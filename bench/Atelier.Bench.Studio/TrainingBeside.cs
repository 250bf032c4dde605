using System.Diagnostics;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Jobs;

/// <summary>
/// A training job beside the annotators (--with-training): submitted as the owner and run by `atelier job run ID`, the worker
/// the studio itself starts, so that the training process writes progress, checkpoints and audit entries into the same catalog
/// while the annotators write. Stopped when the load ends (a checkpoint, as the studio's Stop button).
/// </summary>
internal sealed class TrainingBeside(string dir, long jobId, Process worker)
{
    public const string RunName = "beside-the-annotators";

    public static TrainingBeside Start(string cli, string dir)
    {
        Cli(cli, "rate", "all", "general", "--workspace", dir);
        Cli(cli, "dataset", "create", "load", "--workspace", dir);
        JobRecord job;
        using (var workspace = Workspace.Open(dir))
            job = new Jobs(GovernanceSession.For(workspace)).Submit(JobKind.Train,
                ["train", "--dataset", "load", "--name", RunName, "--resolution", "32", "--batch", "16", "--kimg", "1000", "--snapshot-kimg", "0.5", "--device", "cpu"], RunName);
        var worker = Process.Start(new ProcessStartInfo("dotnet", [cli, "job", "run", job.Id.ToString(CultureInfo.InvariantCulture), "--workspace", dir])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        worker.BeginOutputReadLine();
        worker.BeginErrorReadLine();
        // The load starts once the worker trains, not while it is still loading libtorch.
        for (var waited = 0; RunStatus(dir) != Atelier.Catalog.RunStatus.Running; waited += 200)
        {
            if (worker.HasExited || waited > 120_000) throw new InvalidOperationException($"the training job did not start (worker exited {worker.HasExited})");
            Thread.Sleep(200);
        }
        return new TrainingBeside(dir, job.Id, worker);
    }

    /// <summary>Stops the job as Stop in the studio does and says what it left: its state, the run's length and checkpoints.</summary>
    public (string Text, bool Stopped) Stop()
    {
        var cpu = worker.TotalProcessorTime;  // read while it lives: an exited process's times are gone
        using (var workspace = Workspace.Open(dir))
            new Jobs(GovernanceSession.For(workspace)).Stop(jobId);
        worker.WaitForExit();
        using var ws = Workspace.Open(dir);
        var job = new Jobs(GovernanceSession.For(ws)).Get(jobId)!;
        var run = ws.Catalog.GetRun(RunName)!;
        return ($"training job {jobId}: {job.State} (worker exit {worker.ExitCode}); run {run.Status}, {run.ImagesSeen / 1000.0:0.000} kimg, " +
               $"{ws.Catalog.ListCheckpoints(run.Id).Count} checkpoints; worker CPU {cpu.TotalSeconds:F1} s while the annotators worked",
            job.State == JobState.Stopped && run.Status == Atelier.Catalog.RunStatus.Stopped);
    }

    private static string? RunStatus(string dir)
    {
        using var ws = Workspace.Open(dir);
        return ws.Catalog.GetRun(RunName)?.Status;
    }

    private static void Cli(string cli, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo("dotnet", [cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"atelier {string.Join(' ', args)}: {error.Result.Trim()}");
    }
}
