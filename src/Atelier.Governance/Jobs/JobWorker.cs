using System.Diagnostics;
using System.Globalization;

namespace Atelier.Governance.Jobs;

/// <summary>
/// The process that claimed a job: host, process id and start time, stored as one text. Another process on the same host
/// can tell that the worker is gone (killed, crashed, its machine restarted) without touching the worker's files.
/// </summary>
public sealed record JobWorker(string Host, int ProcessId, long StartedUnixMs)
{
    public static JobWorker Current()
    {
        using var self = Process.GetCurrentProcess();
        return new JobWorker(Environment.MachineName, self.Id, StartOf(self));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host} {ProcessId} {StartedUnixMs}");

    public static JobWorker? Parse(string? text) =>
        text?.Split(' ') is [var host, var pid, var start]
        && int.TryParse(pid, CultureInfo.InvariantCulture, out var p) && long.TryParse(start, CultureInfo.InvariantCulture, out var s)
            ? new JobWorker(host, p, s)
            : null;

    /// <summary>True when this worker is known to have ended: it ran on this host and no process with its id and start time lives.</summary>
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
