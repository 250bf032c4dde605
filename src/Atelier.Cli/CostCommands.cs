using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Atelier.Catalog;
using Atelier.Cost;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Training;
using Atelier.Training.Networks;
using Atelier.Training.Runs;

namespace Atelier.Cli;

/// <summary><c>cost calibrate | estimate | show</c>: glue between Training's timing (the measurement) and Cost's planner.</summary>
public static class CostCommands
{
    public static Command Create(CliContext c)
    {
        var cost = new Command("cost", "Plan runs by cost: calibrate this machine, estimate a run, show the workspace's energy per stage");
        cost.Subcommands.Add(Calibrate(c));
        cost.Subcommands.Add(Estimate(c));
        cost.Subcommands.Add(Show(c));
        return cost;
    }

    private static Command Calibrate(CliContext c)
    {
        var models = new Option<string>("--models") { Description = "Models to time, comma-separated: dcgan, modern", DefaultValueFactory = _ => "dcgan,modern" };
        var resolutions = new Option<string>("--resolutions") { Description = "Resolutions to time, comma-separated: 32, 64, 128, 256", DefaultValueFactory = _ => "32,64" };
        var batch = new Option<int?>("--batch") { Description = "Batch size (default: each model's, dcgan 64, modern 32)" };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var repeats = new Option<int>("--repeats") { Description = "Timed repeats per model and resolution (median and spread are kept)", DefaultValueFactory = _ => 5 };
        var steps = new Option<int>("--steps") { Description = "Training steps per repeat (16: one lazy-penalty cycle of the modern model)", DefaultValueFactory = _ => 16 };
        var warmup = new Option<int>("--warmup") { Description = "Untimed steps first", DefaultValueFactory = _ => 3 };
        var dataset = new Option<string?>("--dataset") { Description = "Time the steps on this snapshot's images, as a run on it reads them (default: synthetic noise images; speed depends on the content)" };
        var command = new Command("calibrate", "Time short training runs of each model and resolution on this machine (sec/kimg, peak memory, power) and save them in .atelier/calibration.json")
        {
            models, resolutions, batch, device, repeats, steps, warmup, dataset,
        };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            GovernanceSession.For(ws).Actor.Require(Role.Reviewer, "run training steps");
            var kinds = ParseList(parse.GetValue(models)!, "--models", s => s switch
            {
                "dcgan" => ModelKind.Dcgan,
                "modern" => ModelKind.Modern,
                _ => throw new AtelierException("unknown-model", $"--models: '{s}' is not a model (dcgan, modern)"),
            });
            var sizes = ParseList(parse.GetValue(resolutions)!, "--resolutions", s =>
                int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && ThroughputRequest.Resolutions.Contains(r) ? r
                    : throw new AtelierException("bad-resolution", $"--resolutions: '{s}' is not one of 32, 64, 128, 256"));
            if (parse.GetValue(repeats) < 1 || parse.GetValue(steps) < 1 || parse.GetValue(warmup) < 1)
                throw new AtelierException("usage", "--repeats, --steps and --warmup must each be at least 1");
            return Metering.Metered(c, ws, "calibrate", _ => RunCalibration(c, parse, ws, kinds, sizes, parse.GetValue(batch), parse.GetValue(device)!,
                parse.GetValue(repeats), parse.GetValue(steps), parse.GetValue(warmup), parse.GetValue(dataset)));
        }));
        return command;
    }

    private static int RunCalibration(CliContext c, ParseResult parse, Workspace ws, IReadOnlyList<ModelKind> kinds, IReadOnlyList<int> sizes, int? batch,
        string device, int repeats, int steps, int warmup, string? dataset)
    {
        var load = LoadAverage();
        var loadClock = Stopwatch.StartNew();
        TorchRuntime.EnsureLoadable();
        var selected = Trainer.SelectDevice(device);
        var torchLoad = loadClock.Elapsed.TotalSeconds;
        var scratch = Path.Combine(ws.DataDirectory, "tmp", $"calibrate-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var entries = new List<CalibrationEntry>();
        try
        {
            foreach (var kind in kinds)
                foreach (var size in sizes)
                {
                    var data = dataset is null ? null : TrainingThroughput.SnapshotData(ws, dataset, size, c.Host.Cancellation);
                    var observer = new MeteredSteps(c, ws);
                    var m = TrainingThroughput.Measure(new ThroughputRequest(kind, size, batch, device, warmup, steps, repeats, Data: data), scratch, observer, c.Host.Cancellation);
                    var r = observer.Reading!;
                    var wall = Math.Max(1e-9, r.WallSeconds);
                    var entry = new CalibrationEntry(kind.ToString().ToLowerInvariant(), size, m.Batch, m.Device, m.StepsPerRepeat, m.SecondsPerKimg,
                        m.StartupSeconds, m.SnapshotSeconds, TrainingOptions.Defaults(kind, "-", "-").SnapshotKimg, m.PeakRssBytes, m.PeakRssIsOwn,
                        r.Joules / wall, r.CpuJoules / wall, r.GpuJoules is { } g ? g / wall : null, r.Gpus, r.IsEstimate ? EnergyMethods.Estimate : "measured",
                        r.IsEstimate ? r.CpuNote : null, m.Data?.Describe());
                    entries.Add(entry);
                    if (!c.Json(parse)) c.Host.Out.WriteLine(Line(entry));
                }
        }
        finally
        {
            try { if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        var hardware = new HardwareDescription(CpuPower.ModelName(), Environment.ProcessorCount, selected.type == TorchSharp.DeviceType.CUDA ? GpuName() : null,
            Trainer.Software, RuntimeInformation.OSDescription);
        var saved = CalibrationFile.Save(ws, new CalibrationFile(CalibrationFile.FormatId, DateTimeOffset.UtcNow, hardware, torchLoad, load, entries), c.Host.Cancellation);
        if (c.Json(parse)) c.WriteJson(new { path = CalibrationFile.PathIn(ws), measured = entries, calibration = saved });
        else c.Host.Out.WriteLine($"Saved {entries.Count} measurement{(entries.Count == 1 ? "" : "s")} ({saved.Entries.Count} in all) to {CalibrationFile.PathIn(ws)}: {hardware.Describe()}, {hardware.Atelier}" +
            (load is { } l ? string.Create(CultureInfo.InvariantCulture, $"; load average {l:0.00} when it began") : ""));
        return 0;
    }

    private static string Line(CalibrationEntry e) => string.Create(CultureInfo.InvariantCulture,
        $"{e.Model,-6} {e.Resolution,4} px batch {e.Batch,3} {e.Device}: {e.MedianSecondsPerKimg:0.00} s/kimg (median of {e.SecondsPerKimg.Count}; {e.MinSecondsPerKimg:0.00}–{e.MaxSecondsPerKimg:0.00}), " +
        $"start-up {e.StartupSeconds:0.0} s, snapshot {e.SnapshotSeconds:0.00} s, peak memory {e.PeakRssBytes / 1048576.0:0} MiB{(e.PeakRssIsOwn ? "" : " (process)")}, " +
        $"{e.Watts:0.0} W ({e.PowerMethod}), on {e.DataDescription}");

    /// <summary>An energy meter around exactly the timed steps.</summary>
    private sealed class MeteredSteps(CliContext c, Workspace ws) : IThroughputObserver
    {
        private EnergyMeter? _meter;
        public EnergyReading? Reading { get; private set; }

        public void TimedStepsStarting() =>
            _meter = EnergyMeter.Start(EnergySources.Machine(c.Host.Environment(Metering.PowercapVariable)), ws.Config.Cost.CpuTdpWatts);

        public void TimedStepsFinished() => Reading = _meter?.Stop();
    }

    private static Command Estimate(CliContext c)
    {
        var model = new Option<string>("--model") { Description = "dcgan or modern", Required = true };
        model.AcceptOnlyFromAmong("dcgan", "modern");
        var resolution = new Option<int>("--resolution") { Description = "Image size", Required = true };
        var kimg = new Option<double>("--kimg") { Description = "Length of the run in thousands of real images shown to D", Required = true };
        var hardware = new Option<string>("--hardware") { Description = "Published figures for hardware not at hand: v100 (StyleGAN2-ADA's table), a100 (StyleGAN3's)" };
        var gpus = new Option<int>("--gpus") { Description = "GPUs (published hardware only: 1, 2, 4 or 8)", DefaultValueFactory = _ => 1 };
        var batch = new Option<int?>("--batch") { Description = "The calibrated batch size to use (default: the first calibrated for the model)" };
        var snapshotKimg = new Option<double?>("--snapshot-kimg") { Description = "Snapshot interval the run will use (default: the model's)" };
        var priceKwh = new Option<double?>("--price-kwh") { Description = "Price per kWh (default: cost.pricePerKwh in config.json)" };
        var priceHour = new Option<double?>("--price-hour") { Description = "Price per hour of the machine (default: cost.pricePerInstanceHour)" };
        var command = new Command("estimate", "Predict a run's wall time, energy, money and CO2e, from this machine's calibration or from published figures (cited)")
        {
            model, resolution, kimg, hardware, gpus, batch, snapshotKimg, priceKwh, priceHour,
        };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var prices = ws.Config.Cost with
            {
                PricePerKwh = parse.GetValue(priceKwh) ?? ws.Config.Cost.PricePerKwh,
                PricePerInstanceHour = parse.GetValue(priceHour) ?? ws.Config.Cost.PricePerInstanceHour,
            };
            if (parse.GetValue(priceKwh) is { } pk && (!double.IsFinite(pk) || pk < 0)) throw new AtelierException("bad-price", $"--price-kwh {pk.ToString(CultureInfo.InvariantCulture)} must be at least 0");
            if (parse.GetValue(priceHour) is { } ph && (!double.IsFinite(ph) || ph < 0)) throw new AtelierException("bad-price", $"--price-hour {ph.ToString(CultureInfo.InvariantCulture)} must be at least 0");
            var request = new EstimateRequest(parse.GetValue(model)!, parse.GetValue(resolution), parse.GetValue(kimg), parse.GetValue(snapshotKimg),
                parse.GetValue(hardware), parse.GetValue(gpus), parse.GetValue(batch));
            CostEstimate estimate;
            if (request.Hardware is not null) estimate = CostPlanner.FromPublished(request, prices);
            else
            {
                var path = CalibrationFile.PathIn(ws);
                var calibration = CalibrationFile.Load(path)
                    ?? throw new AtelierException("not-calibrated", "this workspace has no calibration: run `atelier cost calibrate` first (or name published hardware with --hardware v100|a100)");
                estimate = CostPlanner.FromCalibration(calibration, path, request, prices);
            }
            if (c.Json(parse)) { c.WriteJson(estimate); return 0; }
            foreach (var line in Lines(estimate)) c.Host.Out.WriteLine(line);
            return 0;
        }));
        return command;
    }

    private static IEnumerable<string> Lines(CostEstimate e)
    {
        string R(Bounds b, Func<double, string> f) => $"{f(b.Expected)} ({f(b.Low)} to {f(b.High)})";
        string N(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        yield return string.Create(CultureInfo.InvariantCulture, $"{e.Model} at {e.Resolution} px for {e.Kimg:0.###} kimg on {e.Hardware} ({(e.Basis == "calibration" ? "from this machine's calibration" : "from published figures")}):");
        yield return $"  time      {R(e.WallSeconds, CostPlanner.Duration)}";
        yield return $"            {R(e.SecondsPerKimg, v => N(v, "0.00"))} s/kimg" +
            (e.Basis == "calibration" ? string.Create(CultureInfo.InvariantCulture, $", plus {e.FixedSeconds:0.0} s for start-up and {e.Snapshots} snapshot{(e.Snapshots == 1 ? "" : "s")}") : "");
        yield return $"  energy    {R(e.Kwh, v => N(v, "0.######"))} kWh at {N(e.Watts, "0.0")} W ({(e.EnergyIsEstimate ? "estimate" : "measured")})";
        yield return $"  money     {e.Currency} {R(e.Money, v => N(v, "0.####"))}";
        yield return $"  CO2e      {R(e.Co2Grams, v => N(v, "0.###"))} g";
        foreach (var s in e.Sources) yield return $"  source    {s}";
        foreach (var s in e.Caveats) yield return $"  note      {s}";
    }

    private static Command Show(CliContext c)
    {
        var run = new Option<string>("--run") { Description = "Only the invocations recorded with this run" };
        var command = new Command("show", "Energy, money and CO2e per stage over the workspace (or one run), and which share is estimated") { run };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            IReadOnlyList<EnergyRecord> rows;
            if (parse.GetValue(run) is { } name)
            {
                var record = ws.Catalog.GetRun(name) ?? throw new AtelierException("unknown-run", $"no run named '{name}' (see `atelier runs list`)");
                rows = ws.Catalog.ListEnergy(record.Id);
            }
            else rows = ws.Catalog.ListEnergy();
            var summary = StageEnergy.Of(rows);
            if (c.Json(parse)) { c.WriteJson(summary); return 0; }
            if (rows.Count == 0) { c.Host.Out.WriteLine("No energy recorded yet (every ingest, export, calibrate, train, sample and eval records its own)."); return 0; }
            c.Host.Out.WriteLine($"{"stage",-10} {"runs",5} {"wall s",10} {"kWh",12} {"money",14} {"g CO2e",10}  estimated");
            foreach (var s in summary.Stages.Append(summary.All))
                c.Host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Stage,-10} {s.Invocations,5} {s.WallSeconds,10:0.0} {s.Kwh,12:0.000000} {(s.Money is { } m ? $"{s.Currency} {m:0.0000}" : "mixed"),14} {s.Co2Grams,10:0.000}  {s.EstimatedInvocations} of {s.Invocations} ({s.EstimatedKwhShare * 100:0}% of kWh)"));
            return 0;
        }));
        return command;
    }

    private static List<T> ParseList<T>(string text, string option, Func<string, T> parse)
    {
        var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().Select(parse).ToList();
        return items.Count > 0 ? items : throw new AtelierException("usage", $"{option} names nothing");
    }

    private static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>The first NVIDIA GPU's model name from the driver's proc files, or "CUDA device".</summary>
    private static string GpuName()
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc/driver/nvidia/gpus").Order(StringComparer.Ordinal))
                foreach (var line in File.ReadLines(Path.Combine(dir, "information")))
                    if (line.StartsWith("Model:", StringComparison.Ordinal)) return line[6..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return "CUDA device";
    }
}
