using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

/// <summary>`atelier studio --port 0` as its own process, and the address it prints.</summary>
internal static class StudioProcess
{
    public static async Task<(Process Server, Uri Address)> StartAsync(string cli, string dir)
    {
        var server = Process.Start(new ProcessStartInfo("dotnet", [cli, "studio", "--workspace", dir, "--port", "0"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var address = new TaskCompletionSource<Uri>();
        server.OutputDataReceived += (_, e) => { if (e.Data is { } line && Regex.Match(line, @"^Atelier Studio on (http://\S+) ") is { Success: true } m) address.TrySetResult(new Uri(m.Groups[1].Value)); };
        server.ErrorDataReceived += (_, e) => { if (!string.IsNullOrEmpty(e.Data)) Console.Error.WriteLine("studio: " + e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        return (server, await address.Task.WaitAsync(TimeSpan.FromMinutes(2)));
    }

    public static void Stop(Process server)
    {
        Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        server.WaitForExit();
    }
}
