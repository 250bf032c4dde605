using System.Globalization;
using Atelier.Catalog;

namespace Atelier.Cost;

/// <summary>What to plan: a model at a resolution for a length in kimg, on the calibrated machine or on published hardware.</summary>
public sealed record EstimateRequest(string Model, int Resolution, double Kimg, double? SnapshotKimg = null, string? Hardware = null, int Gpus = 1, int? Batch = null);

/// <summary>A figure with its honest range.</summary>
public sealed record Bounds(double Expected, double Low, double High)
{
    public Bounds Times(double factor) => new(Expected * factor, Low * factor, High * factor);
}

/// <summary>
/// A planned run's wall time, energy, money and CO2e, each with a range, what they rest on (<see cref="Sources"/>) and what the
/// range does not cover (<see cref="Caveats"/>). <see cref="Basis"/> is "calibration" or "published".
/// </summary>
public sealed record CostEstimate(string Model, int Resolution, double Kimg, string Basis, string Hardware, int Gpus,
    Bounds SecondsPerKimg, Bounds WallSeconds, Bounds Kwh, Bounds Money, string Currency, Bounds Co2Grams,
    double Watts, bool EnergyIsEstimate, double FixedSeconds, int Snapshots, IReadOnlyList<string> Sources, IReadOnlyList<string> Caveats);

/// <summary>
/// The cost planner. From a calibration: wall = start-up + snapshots × one snapshot's time + kimg × s/kimg, where s/kimg is
/// the median of the calibration's repeats and the range runs from their fastest to their slowest; energy = the calibrated
/// average power × wall. From published figures: wall = kimg × the table's s/kimg (its own range), energy = GPUs × board
/// power (TDP) × wall. Money and CO2e as for a measured stage (<see cref="CostFigures"/>).
/// </summary>
public static class CostPlanner
{

    public static CostEstimate FromCalibration(CalibrationFile calibration, string calibrationPath, EstimateRequest request, CostSettings prices)
    {
        Check(request, prices);
        if (request.Gpus != 1)
            throw new AtelierException("bad-gpus", $"--gpus {request.Gpus}: Atelier trains on one device, so a calibration predicts one; --gpus applies to published hardware (--hardware v100|a100)");
        var candidates = calibration.Entries.Where(e => e.Model == request.Model && e.Resolution == request.Resolution && (request.Batch is null || e.Batch == request.Batch)).ToList();
        var entry = candidates.FirstOrDefault()
            ?? throw new AtelierException("not-calibrated",
                $"this workspace's calibration has no {request.Model} at {request.Resolution} px{(request.Batch is { } b ? $" with batch {b}" : "")} " +
                $"(it has: {(calibration.Entries.Count == 0 ? "nothing" : string.Join(", ", calibration.Entries.Select(e => $"{e.Model} {e.Resolution} px batch {e.Batch}")))}); " +
                $"run `atelier cost calibrate --models {request.Model} --resolutions {request.Resolution}`");
        var snapshotKimg = request.SnapshotKimg ?? entry.SnapshotKimg;
        if (!double.IsFinite(snapshotKimg) || snapshotKimg <= 0)
            throw new AtelierException("bad-snapshot-kimg", $"--snapshot-kimg {Num(snapshotKimg)} must be a positive number");
        // The trainer writes a snapshot at every multiple of --snapshot-kimg and at the end.
        var snapshots = (int)Math.Ceiling(request.Kimg / snapshotKimg - 1e-9);
        var fixedSeconds = calibration.TorchLoadSeconds + entry.StartupSeconds + snapshots * entry.SnapshotSeconds;
        var perKimg = new Bounds(entry.MedianSecondsPerKimg, entry.MinSecondsPerKimg, entry.MaxSecondsPerKimg);
        var wall = new Bounds(fixedSeconds + request.Kimg * perKimg.Expected, fixedSeconds + request.Kimg * perKimg.Low, fixedSeconds + request.Kimg * perKimg.High);
        var estimate = entry.PowerMethod != "measured";
        var caveats = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture,
                $"range: the fastest and slowest of {entry.SecondsPerKimg.Count} repeats of {entry.StepsPerRepeat} steps (median {entry.MedianSecondsPerKimg:0.00} s/kimg); other load on the machine than at calibration moves it{(calibration.LoadAverage is { } l ? $" (load average then: {l:0.00} on {calibration.Hardware.Cores} cores)" : "")}"),
            string.Create(CultureInfo.InvariantCulture,
                $"energy: {entry.Watts:0.0} W average over the timed steps, {(estimate ? $"an estimate ({entry.PowerNote})" : "measured")}; start-up and snapshots are priced at the same power"),
        };
        if (entry.Data is null)
            caveats.Add("data: timed on synthetic noise images; how fast a step goes depends on what the images show (DCGAN at 32 px trained 1.3× slower on noise than on the emoji sample here), so calibrate with --dataset on the snapshot you will train");
        if (entry.Model == "modern")
            caveats.Add("modern: adaptive augmentation starts at p = 0; later in a run, at a higher p, a step costs a little more than in the calibration");
        return Finish(request, "calibration", calibration.Hardware.Describe(), perKimg, wall, entry.Watts, entry.Gpus, estimate, fixedSeconds, snapshots, prices,
            [string.Create(CultureInfo.InvariantCulture, $"calibration {calibrationPath}, measured {calibration.CreatedAt:u} with batch {entry.Batch} on {entry.Device}, on {entry.DataDescription}")], caveats);
    }

    public static CostEstimate FromPublished(EstimateRequest request, CostSettings prices)
    {
        Check(request, prices);
        var name = request.Hardware!.Trim().ToLowerInvariant();
        var gpu = PublishedFigures.Gpus.FirstOrDefault(g => g.Name == name)
            ?? throw new AtelierException("unknown-hardware", $"no published figures for hardware '{request.Hardware}' (known: {string.Join(", ", PublishedFigures.Gpus.Select(g => g.Name))}); without --hardware the estimate comes from this machine's calibration");
        var rows = PublishedFigures.Speeds.Where(s => s.Hardware == gpu.Name).ToList();
        if (!rows.Any(s => s.Resolution == request.Resolution))
            throw new AtelierException("no-published-figure", $"no published figure for {request.Resolution} px on {gpu.Name} (published: {string.Join(", ", rows.Select(s => s.Resolution).Distinct())} px)");
        var row = rows.FirstOrDefault(s => s.Resolution == request.Resolution && s.Gpus == request.Gpus)
            ?? throw new AtelierException("no-published-figure", $"no published figure for {request.Gpus} {gpu.Name} GPUs (published: {string.Join(", ", rows.Where(s => s.Resolution == request.Resolution).Select(s => s.Gpus))})");
        var perKimg = new Bounds((row.LowSecondsPerKimg + row.HighSecondsPerKimg) / 2, row.LowSecondsPerKimg, row.HighSecondsPerKimg);
        var wall = perKimg.Times(request.Kimg);
        var watts = request.Gpus * gpu.TdpWatts;
        var caveats = new List<string>
        {
            $"not Atelier's network: the figure is for {row.Network} on {request.Gpus}× {gpu.Description}; Atelier's {request.Model} has not been timed on such a GPU (none here), so its real time may differ by a large factor either way; the range covers only the spread the source reports",
            "time: raw training speed; checkpoints, sample grids and metrics come on top (StyleGAN2-ADA: its FID metric adds 3–9%)",
            string.Create(CultureInfo.InvariantCulture, $"energy: {request.Gpus} × {gpu.TdpWatts:0} W board power for the whole time (the GPUs at their limit; the host CPU, memory and cooling are not included)"),
        };
        return Finish(request, "published", $"{request.Gpus}× {gpu.Description}", perKimg, wall, watts, request.Gpus, estimate: true, 0, 0, prices,
            [row.Source, gpu.TdpSource], caveats);
    }

    private static CostEstimate Finish(EstimateRequest r, string basis, string hardware, Bounds perKimg, Bounds wall, double watts, int gpus, bool estimate,
        double fixedSeconds, int snapshots, CostSettings prices, IReadOnlyList<string> sources, IReadOnlyList<string> caveats)
    {
        CostFigures At(double seconds) => CostFigures.From(watts * seconds, seconds, gpus, prices);
        var (e, lo, hi) = (At(wall.Expected), At(wall.Low), At(wall.High));
        return new CostEstimate(r.Model, r.Resolution, r.Kimg, basis, hardware, gpus, perKimg, wall,
            new Bounds(e.Kwh, lo.Kwh, hi.Kwh), new Bounds(e.Money, lo.Money, hi.Money), prices.Currency, new Bounds(e.Co2Grams, lo.Co2Grams, hi.Co2Grams),
            watts, estimate, fixedSeconds, snapshots, sources, caveats);
    }

    private static void Check(EstimateRequest r, CostSettings prices)
    {
        if (r.Model is not ("dcgan" or "modern")) throw new AtelierException("unknown-model", $"--model '{r.Model}' must be dcgan or modern");
        if (!double.IsFinite(r.Kimg) || r.Kimg <= 0) throw new AtelierException("bad-length", $"--kimg {Num(r.Kimg)} must be a positive number");
        if (r.Gpus < 1) throw new AtelierException("bad-gpus", $"--gpus {r.Gpus} must be at least 1");
        CostFigures.Validate(prices);
    }

    private static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>"1 h 02 min", "3.4 s", "2 d 05 h".</summary>
    public static string Duration(double seconds) => seconds switch
    {
        < 60 => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.0} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds / 60):0} min {seconds % 60:00} s"),
        < 86400 => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds / 3600):0} h {Math.Floor(seconds % 3600 / 60):00} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(seconds / 86400):0} d {Math.Floor(seconds % 86400 / 3600):00} h"),
    };
}
