using System.Globalization;
using Atelier.Catalog;
using Atelier.Cost;

namespace Atelier.Cli;

/// <summary>One metered stage invocation: the stage body names the run it worked on and may finish early to print its cost.</summary>
public sealed class MeteredStage(CliContext c, Workspace ws, string stage, EnergyMeter meter, DateTimeOffset startedAt)
{
    private (EnergyReading Reading, CostFigures Figures)? _done;

    /// <summary>The run this invocation trained or sampled, when it is one.</summary>
    public string? Run { get; set; }

    /// <summary>What this invocation has used so far; the meter runs on.</summary>
    public EnergyReading SoFar() => meter.Peek();

    public Workspace Workspace => ws;

    /// <summary>
    /// Stops the meter and records the invocation (once); returns what it used. <paramref name="quiet"/>: a stage
    /// that failed says only why it failed (its one line), not also that its energy could not be noted.
    /// </summary>
    public (EnergyReading Reading, CostFigures Figures) Finish(int exitCode, bool quiet = false)
    {
        if (_done is { } done) return done;
        var reading = meter.Stop();
        var figures = CostFigures.From(reading, ws.Config.Cost);
        _done = (reading, figures);
        try
        {
            var runId = Run is null ? null : ws.Catalog.GetRun(Run)?.Id;
            ws.Catalog.AddEnergy(new EnergyRecord(0, stage, runId, startedAt, reading.WallSeconds, reading.CpuSeconds, reading.CpuJoules, reading.CpuMethod,
                reading.CpuNote, reading.GpuJoules, reading.Gpus, reading.GpuNote, figures.Kwh, figures.Money, figures.Currency, figures.Co2Grams, exitCode));
        }
        catch (Exception e) when (CatalogErrors.Describe(e) is not null || e is IOException or AtelierException)
        {
            // The stage's own work is done and committed; not being able to note its energy must not undo its exit code.
            if (!quiet) c.Host.Error.WriteLine($"atelier: the energy of this {stage} was not recorded: {CliContext.OneLine(CatalogErrors.Describe(e)?.Message ?? e.Message)}");
        }
        return _done.Value;
    }
}

/// <summary>Wraps each stage command (ingest, export, calibrate, train, sample, eval) in an energy meter and records what it used.</summary>
public static class Metering
{
    /// <summary>Reads RAPL from another powercap folder (a container that mounts it elsewhere; tests use a fake tree).</summary>
    public const string PowercapVariable = "ATELIER_POWERCAP";

    public static int Metered(CliContext c, Workspace ws, string stage, Func<MeteredStage, int> body)
    {
        CostFigures.Validate(ws.Config.Cost);
        var scope = new MeteredStage(c, ws, stage, EnergyMeter.Start(EnergySources.Machine(c.Host.Environment(PowercapVariable)), ws.Config.Cost.CpuTdpWatts), DateTimeOffset.UtcNow);
        int code;
        try
        {
            code = body(scope);
        }
        catch (Exception e)
        {
            // Energy spent on a failed or interrupted stage was spent all the same.
            // The stage's failure is what the user is told; a failure to record its energy on top would hide it.
            try { scope.Finish(e is OperationCanceledException ? 130 : 1, quiet: true); } catch (Exception) { }
            throw;
        }
        scope.Finish(code);
        return code;
    }

    /// <summary>"cost  12.3 s, 0.000123 kWh, EUR 0.0000, 0.058 g CO2e (estimate: TDP ...)".</summary>
    public static string CostLine(EnergyReading r, CostFigures f) =>
        string.Create(CultureInfo.InvariantCulture, $"{r.WallSeconds:0.0} s, {f.Describe(r.IsEstimate)}{(r.IsEstimate ? $": {r.CpuNote}" : "")}");
}
