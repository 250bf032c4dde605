namespace Atelier.Cli;

/// <summary>
/// What a command sees of the world: its streams, environment and folder. Tests pass their own. <paramref name="ActingUser"/> is
/// set only by a job's worker, after the job's grant was checked: the user who asked for the job acts, with no token.
/// <paramref name="LogProgress"/> (a job's worker too) keeps progress lines on the error stream, the job's log, even with --json.
/// </summary>
public sealed record CliHost(
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> Environment,
    string CurrentDirectory,
    bool Interactive,
    CancellationToken Cancellation = default,
    TextReader? Input = null,
    string? ActingUser = null,
    bool LogProgress = false)
{
    public static CliHost FromProcess()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl-C asks the running command to stop cleanly; a second one kills the process.
            if (cts.IsCancellationRequested) return;
            e.Cancel = true;
            cts.Cancel();
        };
        return new CliHost(Console.Out, Console.Error, System.Environment.GetEnvironmentVariable, System.Environment.CurrentDirectory,
            !Console.IsOutputRedirected && !Console.IsErrorRedirected, cts.Token, Console.In);
    }
}
