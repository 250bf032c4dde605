using System.Diagnostics;
using System.Globalization;

namespace Atelier.Catalog;

/// <summary>
/// The process doing a piece of long work (a job it claimed, a run it trains): host, process id and start time, stored as one
/// text. Another process on the same host can tell that it is gone (killed, crashed, its machine restarted) without touching
/// its files or locks.
/// </summary>
public sealed record WorkerProcess(string Host, int ProcessId, long StartedUnixMs)
{
    public static WorkerProcess Current()
    {
        using var self = Process.GetCurrentProcess();
        return new WorkerProcess(Environment.MachineName, self.Id, StartOf(self));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host} {ProcessId} {StartedUnixMs}");

    public static WorkerProcess? Parse(string? text) =>
        text?.Split(' ') is [var host, var pid, var start]
        && int.TryParse(pid, CultureInfo.InvariantCulture, out var p) && long.TryParse(start, CultureInfo.InvariantCulture, out var s)
            ? new WorkerProcess(host, p, s)
            : null;

    /// <summary>True when this process is known to have ended: it ran on this host and no process with its id and start time lives.</summary>
    public bool IsGone()
    {
        if (Host != Environment.MachineName) return false;
        try
        {
            using var process = Process.GetProcessById(ProcessId);
            // A reused process id has another start time (a second's slack for how the system rounds it).
            return process.HasExited || Math.Abs(StartOf(process) - StartedUnixMs) > 1000;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return true;
        }
    }

    private static long StartOf(Process process) => new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds();
}
