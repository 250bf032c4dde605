using Atelier.Catalog;
using Atelier.TestSupport;

namespace Atelier.Cost.Tests;

/// <summary>The calibration file and the planner's arithmetic, against values worked out by hand.</summary>
public class CostPlannerTests
{
    private static readonly HardwareDescription Machine = new("Test CPU 9000", 2, null, "atelier test", "Linux");

    private static CalibrationEntry Entry(string model = "dcgan", int resolution = 32, double[]? perKimg = null, int batch = 64) =>
        new(model, resolution, batch, "cpu", 8, perKimg ?? [12, 10, 14, 11, 13], StartupSeconds: 2, SnapshotSeconds: 0.5, SnapshotKimg: 10,
            PeakRssBytes: 400 << 20, PeakRssIsOwn: true, Watts: 50, CpuWatts: 50, GpuWatts: null, Gpus: 0, PowerMethod: "estimate", PowerNote: "TDP 85 W × CPU time / 2 cores");

    private static CalibrationFile File(params CalibrationEntry[] entries) =>
        new(CalibrationFile.FormatId, new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero), Machine, TorchLoadSeconds: 1, LoadAverage: 1.5, entries);

    private static readonly CostSettings Prices = new() { Currency = "EUR", PricePerKwh = 0.30, PricePerInstanceHour = 1.2, GramsCo2PerKwh = 475 };

    [Fact]
    public void A_calibration_is_written_whole_and_read_back_equal()
    {
        using var ws = new TempWorkspace();
        var saved = CalibrationFile.Save(ws.Workspace, File(Entry(), Entry("modern", 64, [40, 44, 42])), TestContext.Current.CancellationToken);
        var path = CalibrationFile.PathIn(ws.Workspace);
        Assert.Equal(Path.Combine(ws.Directory, ".atelier", "calibration.json"), path);
        var read = CalibrationFile.Load(path)!;
        Assert.Equal(saved.ToJson(), read.ToJson());
        Assert.Equal(["dcgan", "modern"], read.Entries.Select(e => e.Model));
        Assert.Equal([12, 10, 14, 11, 13], read.Entries[0].SecondsPerKimg);
        Assert.Equal("Test CPU 9000", read.Hardware.CpuModel);
        Assert.Empty(Directory.GetFiles(ws.Workspace.DataDirectory, "*.tmp"));
    }

    [Fact]
    public void A_new_calibration_replaces_its_own_entries_keeps_the_others_of_this_machine_and_drops_another_machines()
    {
        using var ws = new TempWorkspace();
        CalibrationFile.Save(ws.Workspace, File(Entry(), Entry("modern", 64, [40, 44, 42])), TestContext.Current.CancellationToken);
        var merged = CalibrationFile.Save(ws.Workspace, File(Entry(perKimg: [5, 6, 7])), TestContext.Current.CancellationToken);
        Assert.Equal(2, merged.Entries.Count);
        Assert.Equal([5, 6, 7], merged.Entries.Single(e => e.Model == "dcgan").SecondsPerKimg);
        Assert.Equal([40, 44, 42], merged.Entries.Single(e => e.Model == "modern").SecondsPerKimg);

        var other = File(Entry(perKimg: [1, 2, 3])) with { Hardware = Machine with { CpuModel = "Another CPU" } };
        var replaced = CalibrationFile.Save(ws.Workspace, other, TestContext.Current.CancellationToken);
        Assert.Equal([1, 2, 3], Assert.Single(replaced.Entries).SecondsPerKimg);
    }

    [Fact]
    public void Calibrations_saved_at_once_keep_every_entry()
    {
        using var ws = new TempWorkspace();
        var resolutions = new[] { 32, 64, 128, 256 };
        using var start = new Barrier(resolutions.Length);
        var threads = resolutions.Select(r => new Thread(() =>
        {
            start.SignalAndWait();
            // Each opens its own workspace handle, as separate processes would.
            using var own = Workspace.Open(ws.Directory);
            CalibrationFile.Save(own, File(Entry(resolution: r)), TestContext.Current.CancellationToken);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var read = CalibrationFile.Load(CalibrationFile.PathIn(ws.Workspace))!;
        Assert.Equal(resolutions, read.Entries.Select(e => e.Resolution));
    }

    [Theory]
    [InlineData("{ not json", "is not a usable calibration (")]
    [InlineData("null", "is not a usable calibration (it is empty)")]
    [InlineData("{\"format\":\"something/9\",\"hardware\":{},\"entries\":[]}", "is not a usable calibration (its format is 'something/9', not atelier.calibration/1)")]
    [InlineData("{\"format\":\"atelier.calibration/1\"}", "is not a usable calibration (it lacks the hardware or the entries)")]
    public void A_damaged_calibration_file_is_one_line_with_the_fix(string content, string expected)
    {
        using var ws = new TempWorkspace();
        var path = CalibrationFile.PathIn(ws.Workspace);
        System.IO.File.WriteAllText(path, content);
        var e = Assert.Throws<AtelierException>(() => CalibrationFile.Load(path));
        Assert.Equal("bad-calibration", e.Code);
        Assert.Contains(expected, e.Message);
        Assert.EndsWith("; run `atelier cost calibrate` again", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_timing_no_machine_can_produce_is_refused()
    {
        using var ws = new TempWorkspace();
        var path = CalibrationFile.PathIn(ws.Workspace);
        System.IO.File.WriteAllText(path, File(Entry(perKimg: [12, -3])).ToJson());
        var e = Assert.Throws<AtelierException>(() => CalibrationFile.Load(path));
        Assert.Contains("the entry for dcgan at 32 px holds a number no timing can be", e.Message);
    }

    [Fact]
    public void No_calibration_file_is_null_not_an_error()
    {
        using var ws = new TempWorkspace();
        Assert.Null(CalibrationFile.Load(CalibrationFile.PathIn(ws.Workspace)));
    }

    [Fact]
    public void The_calibration_estimate_is_the_hand_computed_one()
    {
        // Median of 10..14 is 12; snapshots at 10, 20 and the end (25) = 3; fixed = 1 (libtorch) + 2 (start-up) + 3 × 0.5.
        var e = CostPlanner.FromCalibration(File(Entry()), "/x/calibration.json", new EstimateRequest("dcgan", 32, 25), Prices);
        Assert.Equal(3, e.Snapshots);
        Assert.Equal(4.5, e.FixedSeconds, 12);
        Assert.Equal(new Bounds(12, 10, 14), e.SecondsPerKimg);
        Assert.Equal(304.5, e.WallSeconds.Expected, 9);
        Assert.Equal(254.5, e.WallSeconds.Low, 9);
        Assert.Equal(354.5, e.WallSeconds.High, 9);
        // 50 W × 304.5 s = 15,225 J = 0.0042291666… kWh.
        Assert.Equal(15225 / 3.6e6, e.Kwh.Expected, 15);
        Assert.Equal(50 * 354.5 / 3.6e6, e.Kwh.High, 15);
        // Money: kWh × 0.30 + 304.5 s / 3600 × 1.20 per instance-hour.
        Assert.Equal(15225 / 3.6e6 * 0.30 + 304.5 / 3600 * 1.2, e.Money.Expected, 12);
        Assert.Equal(15225 / 3.6e6 * 475, e.Co2Grams.Expected, 12);
        Assert.Equal("EUR", e.Currency);
        Assert.True(e.EnergyIsEstimate);
        Assert.Equal("calibration", e.Basis);
        Assert.Contains("calibration /x/calibration.json, measured 2026-12-02 01:00:00Z", Assert.Single(e.Sources));
        Assert.Contains(e.Caveats, c => c.StartsWith("range: the fastest and slowest of 5 repeats of 8 steps", StringComparison.Ordinal));
    }

    [Fact]
    public void A_snapshot_interval_given_changes_the_count_and_an_even_length_has_no_extra_one()
    {
        var e = CostPlanner.FromCalibration(File(Entry()), "c", new EstimateRequest("dcgan", 32, 20, SnapshotKimg: 5), Prices);
        Assert.Equal(4, e.Snapshots);
        Assert.Equal(1 + 2 + 4 * 0.5 + 20 * 12, e.WallSeconds.Expected, 9);
    }

    [Fact]
    public void A_published_estimate_uses_the_table_row_the_gpu_power_and_cites_both()
    {
        var e = CostPlanner.FromPublished(new EstimateRequest("modern", 256, 1000, Hardware: "V100"), Prices);
        // StyleGAN2-ADA, 256x256, 1 GPU: 21.6–24.2 s/kimg.
        Assert.Equal(new Bounds(22.9, 21.6, 24.2), e.SecondsPerKimg with { Expected = Math.Round(e.SecondsPerKimg.Expected, 9) });
        Assert.Equal(22900, e.WallSeconds.Expected, 6);
        Assert.Equal(21600, e.WallSeconds.Low, 6);
        Assert.Equal(300 * 22900 / 3.6e6, e.Kwh.Expected, 12);
        Assert.Equal(300, e.Watts);
        Assert.Contains(e.Sources, s => s.StartsWith("NVlabs/stylegan2-ada-pytorch README.md, \"Expected training time\"", StringComparison.Ordinal));
        Assert.Contains(e.Sources, s => s.Contains("V100 datasheet (volta-v100-datasheet-update-us-1165301-r5): \"Max Power Consumption\" 300 W for SXM2", StringComparison.Ordinal));
        Assert.Contains(e.Caveats, c => c.StartsWith("not Atelier's network: the figure is for StyleGAN2-ADA (cfg auto)", StringComparison.Ordinal));

        var eight = CostPlanner.FromPublished(new EstimateRequest("dcgan", 256, 1000, Hardware: "v100", Gpus: 8), Prices);
        Assert.Equal(4.95 * 1000, eight.WallSeconds.Expected, 6);
        Assert.Equal(8 * 300 * 4950 / 3.6e6, eight.Kwh.Expected, 9);

        // StyleGAN3-T on A100, 128 px, 1 GPU: 27.20 s/kimg, ±20% as its authors state.
        var a100 = CostPlanner.FromPublished(new EstimateRequest("dcgan", 128, 100, Hardware: "a100"), Prices);
        Assert.Equal(2720, a100.WallSeconds.Expected, 6);
        Assert.Equal(2720 * 0.8, a100.WallSeconds.Low, 6);
        Assert.Contains(a100.Sources, s => s.StartsWith("NVlabs/stylegan3 docs/configs.md", StringComparison.Ordinal));
        Assert.Contains(a100.Sources, s => s.Contains("400 W", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dcgan", 32, -5, null, 1, "bad-length", "--kimg -5 must be a positive number")]
    [InlineData("dcgan", 32, 0, null, 1, "bad-length", "--kimg 0 must be a positive number")]
    [InlineData("dcgan", 32, double.NaN, null, 1, "bad-length", "--kimg NaN must be a positive number")]
    [InlineData("stylegan", 32, 10, null, 1, "unknown-model", "--model 'stylegan' must be dcgan or modern")]
    [InlineData("dcgan", 32, 10, "h100", 1, "unknown-hardware", "no published figures for hardware 'h100' (known: v100, a100)")]
    [InlineData("dcgan", 64, 10, "v100", 1, "no-published-figure", "no published figure for 64 px on v100 (published: 128, 256, 512, 1024 px)")]
    [InlineData("dcgan", 256, 10, "v100", 3, "no-published-figure", "no published figure for 3 v100 GPUs (published: 1, 2, 4, 8)")]
    [InlineData("dcgan", 32, 10, null, 2, "bad-gpus", "--gpus 2: Atelier trains on one device")]
    [InlineData("modern", 32, 10, null, 1, "not-calibrated", "this workspace's calibration has no modern at 32 px (it has: dcgan 32 px batch 64); run `atelier cost calibrate --models modern --resolutions 32`")]
    [InlineData("dcgan", 64, 10, null, 1, "not-calibrated", "has no dcgan at 64 px")]
    public void Bad_requests_are_refused_with_one_line(string model, int resolution, double kimg, string? hardware, int gpus, string code, string expected)
    {
        var request = new EstimateRequest(model, resolution, kimg, Hardware: hardware, Gpus: gpus);
        var e = Assert.Throws<AtelierException>(() => hardware is null
            ? CostPlanner.FromCalibration(File(Entry()), "c", request, Prices)
            : CostPlanner.FromPublished(request, Prices));
        Assert.Equal(code, e.Code);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_negative_price_is_refused_before_anything_is_estimated()
    {
        var e = Assert.Throws<AtelierException>(() => CostPlanner.FromCalibration(File(Entry()), "c", new EstimateRequest("dcgan", 32, 10), Prices with { PricePerKwh = -1 }));
        Assert.Contains("cost.pricePerKwh", e.Message);
    }

    [Fact]
    public void Stage_totals_sum_each_stage_and_count_what_was_estimated()
    {
        EnergyRecord Row(string stage, double kwh, string method, double wall = 10) =>
            new(0, stage, null, DateTimeOffset.UnixEpoch, wall, wall / 2, kwh * 3.6e6, method, null, null, 0, null, kwh, kwh * 0.3, "EUR", kwh * 475, 0);
        var summary = StageEnergy.Of([Row("train", 0.002, "estimate", 100), Row("ingest", 0.001, "rapl"), Row("train", 0.006, "rapl", 300), Row("calibrate", 0.004, "estimate")]);
        Assert.Equal(["ingest", "calibrate", "train"], summary.Stages.Select(s => s.Stage));
        var train = summary.Stages.Single(s => s.Stage == "train");
        Assert.Equal(2, train.Invocations);
        Assert.Equal(400, train.WallSeconds, 9);
        Assert.Equal(0.008, train.Kwh, 12);
        Assert.Equal(0.0024, train.Money!.Value, 12);
        Assert.Equal(1, train.EstimatedInvocations);
        Assert.Equal(0.25, train.EstimatedKwhShare, 12);
        Assert.Equal("partly estimated", train.Method);
        Assert.Equal(4, summary.All.Invocations);
        Assert.Equal(0.013, summary.All.Kwh, 12);
        Assert.Equal(0.006 / 0.013, summary.All.EstimatedKwhShare, 12);
    }
}
