using System.Diagnostics;
using System.Globalization;
using Atelier.Catalog;

namespace Atelier.Studio.Jobs;

/// <summary>The program and leading arguments that make <c>atelier</c> (for example <c>dotnet /opt/atelier/atelier.dll</c>).</summary>
public sealed record StudioWorker(string FileName, IReadOnlyList<string> LeadingArgs);

/// <summary>
/// Starts a worker process for a submitted job: <c>atelier job run ID --workspace PATH</c>. The worker outlives the web
/// request and the studio itself (a restart of the studio leaves training going); what it says before its own log is
/// open (a refused grant) comes to the studio's log, one line each.
/// </summary>
public sealed class WorkerLauncher(StudioWorker? worker, string workspacePath)
{
    /// <summary>Refuses, in one line, when this studio has no worker (before a job is recorded that nobody would run).</summary>
    public StudioWorker Worker =>
        worker ?? throw new AtelierException("no-worker", "this studio was started without a worker for long work; run `atelier studio` from the CLI");

    public void Start(JobRecord job, ILogger log)
    {
        var worker = Worker;
        var info = new ProcessStartInfo(worker.FileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in worker.LeadingArgs) info.ArgumentList.Add(a);
        foreach (var a in (string[])["job", "run", job.Id.ToString(CultureInfo.InvariantCulture), "--workspace", workspacePath]) info.ArgumentList.Add(a);
        // The worker acts through the job's grant alone, never as whoever started the studio.
        info.Environment.Remove("ATELIER_USER");
        info.Environment.Remove("ATELIER_TOKEN");
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new AtelierException("no-worker", "the worker process did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new AtelierException("no-worker", $"cannot start the worker {worker.FileName}: {e.Message}");
        }
        process.StandardInput.Close();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data)) log.LogWarning("job {Job}: {Line}", job.Id, e.Data.Trim());
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = Reap(process);
    }

    /// <summary>Waits (without a thread) until the worker ends and its output is read, then lets the process go.</summary>
    private static async Task Reap(Process process)
    {
        using (process) await process.WaitForExitAsync();
    }
}
