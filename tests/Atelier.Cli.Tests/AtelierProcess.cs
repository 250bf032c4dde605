using System.Diagnostics;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>Runs the built <c>atelier</c> as a real process (its own runtime, catalog connection and file locks).</summary>
internal static class AtelierProcess
{
    private static ProcessStartInfo Info(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Repo.AtelierDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        return info;
    }

    /// <summary>Starts it with its output read line by line (callers attach their handlers after).</summary>
    public static Process Start(params string[] args)
    {
        var process = Process.Start(Info(args))!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs it to the end and returns its exit code, stdout and stderr; <paramref name="environment"/> is set on top of this process's.</summary>
    public static async Task<CliResult> RunAsync(IReadOnlyList<string> args, CancellationToken cancellation, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(Info(args, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
