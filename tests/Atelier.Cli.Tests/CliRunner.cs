using System.Text.Json;
using Atelier.Cli;

namespace Atelier.Cli.Tests;

public sealed record CliResult(int Code, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;
}

/// <summary>Runs the real CLI in-process against a temporary folder that is deleted afterwards.</summary>
public sealed class CliRunner : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "atelier-cli-" + Guid.NewGuid().ToString("N"));
    public Dictionary<string, string> Environment { get; } = new();

    public CliRunner() => System.IO.Directory.CreateDirectory(Directory);

    public CliResult Run(params string[] args) => RunWithInput(null, args);

    /// <summary>Runs with <paramref name="input"/> as standard input (null: none at all).</summary>
    public CliResult RunWithInput(string? input, params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        var code = AtelierCli.Run(args, new CliHost(o, e, k => Environment.GetValueOrDefault(k), Directory, Interactive: false,
            Input: input is null ? null : new StringReader(input)));
        return new CliResult(code, o.ToString(), e.ToString());
    }

    public CliResult Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.Code == 0, $"atelier {string.Join(' ', args)} exited {r.Code}: {r.Error}");
        return r;
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
