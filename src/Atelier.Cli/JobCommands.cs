using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Jobs;

namespace Atelier.Cli;

/// <summary>
/// <c>atelier job</c>: the worker side of the studio's long work. <c>job run ID</c> is what the studio starts: it checks the
/// job's grant, runs the job's command as the user who asked (its answer to result.json, its reasons to log.txt in the job's
/// folder) and stops it, with a checkpoint where it trains, when someone asks.
/// </summary>
public static class JobCommands
{
    private static readonly TimeSpan StopPoll = TimeSpan.FromMilliseconds(500);

    public static Command Create(CliContext c)
    {
        var job = new Command("job", "Long work the studio hands to a worker process");
        job.Subcommands.Add(Run(c));
        job.Subcommands.Add(List(c));
        job.Subcommands.Add(Stop(c));
        return job;
    }

    private static Command Run(CliContext c)
    {
        var id = new Argument<long>("ID") { Description = "The job to run" };
        var command = new Command("run", "Run a job the studio submitted, as the user who asked for it (the studio starts this; the job's grant is checked)") { id };
        command.SetAction(parse => c.Guard(() =>
        {
            YieldToTheStudio();
            var path = c.WorkspacePath(parse);
            JobRecord claimed;
            string folder;
            using (var ws = Workspace.Open(path))
            {
                var user = ws.Catalog.GetJob(parse.GetValue(id))?.User ?? throw new AtelierException("unknown-job", $"no job {parse.GetValue(id)}");
                claimed = Jobs.Claim(GovernanceSession.OpenAs(ws, c.Host.Environment, user), parse.GetValue(id), WorkerProcess.Current());
                folder = ws.JobDirectory(claimed.Id);
            }
            Directory.CreateDirectory(folder);
            var logPath = Path.Combine(folder, Workspace.JobFiles.Log);
            int code;
            using (var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true })
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(c.Host.Cancellation);
                var watch = WatchForStop(path, claimed.Id, stop);
                var answer = new StringWriter(CultureInfo.InvariantCulture);
                // Relative paths in the job (a sampling job's --out) land in the job's own folder.
                var inner = c.Host with { Out = answer, Error = log, Cancellation = stop.Token, Interactive = false, Input = TextReader.Null, ActingUser = claimed.User, CurrentDirectory = folder, LogProgress = true };
                try
                {
                    code = AtelierCli.Run([.. claimed.Args, "--json", "--workspace", path], inner);
                }
                finally
                {
                    stop.Cancel();
                    watch.Join();
                }
                AtomicFile.WriteAllBytes(Path.Combine(folder, Workspace.JobFiles.Result), Encoding.UTF8.GetBytes(answer.ToString()));
            }
            using (var ws = Workspace.Open(path))
                Jobs.End(GovernanceSession.OpenAs(ws, c.Host.Environment, claimed.User), claimed, code, code == 0 ? null : LastLine(logPath));
            return code;
        }));
        return command;
    }

    /// <summary>
    /// Long work yields the CPU to the people using the studio on the same machine: the worker runs at nice 10 (below normal),
    /// set before the training starts its threads, which inherit it. On Linux a nice value belongs to each thread, so every
    /// thread the runtime has already started is lowered too. Alone on the machine the job runs as fast as before; where
    /// lowering is refused it runs at the priority it has.
    /// </summary>
    private static void YieldToTheStudio()
    {
        const int Nice = 10;
        if (OperatingSystem.IsLinux())
        {
            // Until a pass finds no thread it has not lowered: one started during a pass by a thread not yet lowered is caught by the next.
            var lowered = new HashSet<int>();
            for (var found = true; found;)
            {
                found = false;
                foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
                    if (int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out var thread) && lowered.Add(thread))
                    {
                        found = true;
                        _ = SetPriority(PriorityOfProcess, thread, Nice);
                    }
            }
            return;
        }
        try
        {
            using var self = Process.GetCurrentProcess();
            self.PriorityClass = ProcessPriorityClass.BelowNormal;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or PlatformNotSupportedException or InvalidOperationException) { }
    }

    private const int PriorityOfProcess = 0;  // PRIO_PROCESS: on Linux, with a thread id, that one thread

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    /// <summary>Polls the job's stop flag on its own catalog connection and cancels the command when it is set.</summary>
    private static Thread WatchForStop(string workspacePath, long id, CancellationTokenSource stop)
    {
        var thread = new Thread(() =>
        {
            try
            {
                using var ws = Workspace.Open(workspacePath);
                while (!stop.Token.WaitHandle.WaitOne(StopPoll))
                    if (ws.Catalog.JobStopRequested(id)) stop.Cancel();
            }
            catch (Exception e) when (e is AtelierException or IOException || CatalogErrors.Describe(e) is not null)
            {
                // A busy or unreadable catalog for a moment: the job goes on; it is stopped at the next poll that reads.
            }
        }) { IsBackground = true, Name = "job stop watch" };
        thread.Start();
        return thread;
    }

    private static string? LastLine(string path) =>
        File.Exists(path) ? File.ReadLines(path).LastOrDefault(l => l.Trim().Length > 0)?.Trim() is { } line ? line.StartsWith("atelier: ", StringComparison.Ordinal) ? line[9..] : line : null : null;

    private static Command List(CliContext c)
    {
        var command = new Command("list", "The newest jobs: who asked, what, and how it ended");
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var jobs = new Jobs(GovernanceSession.For(ws)).List();
            if (c.Json(parse)) c.WriteJson(new { jobs = jobs.Select(j => new { j.Id, j.Kind, j.Args, j.User, j.Run, j.State, j.CreatedAt, j.StartedAt, j.FinishedAt, j.ExitCode, j.Message }) });
            else
                foreach (var j in jobs)
                    c.Host.Out.WriteLine($"{j.Id,5}  {j.State,-9}  {j.Kind,-7}  {j.User,-12}  {j.CreatedAt:yyyy-MM-dd HH:mm}  atelier {string.Join(' ', j.Args)}{(j.Message is null ? "" : $"  ({j.Message})")}");
            return 0;
        }));
        return command;
    }

    private static Command Stop(CliContext c)
    {
        var id = new Argument<long>("ID") { Description = "The job to stop" };
        var command = new Command("stop", "Ask a job to stop (training writes a checkpoint first); yours, or anyone's for an admin") { id };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var job = new Jobs(GovernanceSession.For(ws)).Stop(parse.GetValue(id));
            c.Host.Out.WriteLine(job.IsOpen ? $"Job {job.Id} was asked to stop" : $"Job {job.Id} {job.State}");
            return 0;
        }));
        return command;
    }
}
