using System.Text.Json;
using Atelier.Catalog;
using Atelier.Cost;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>The cost planner through the CLI: calibrate on this machine, estimate from it or from published figures, show the energy per stage.</summary>
public class CostPlannerCommandTests
{
    private static CliRunner Workspace()
    {
        var cli = new CliRunner();
        // No RAPL here (and none on purpose elsewhere): the energy is the labelled estimate, whatever the machine.
        cli.Environment["ATELIER_POWERCAP"] = Path.Combine(Path.GetTempPath(), "atelier-no-powercap-" + Guid.NewGuid().ToString("N"));
        cli.Ok("init");
        return cli;
    }

    private static void OneLine(CliResult r, int code, string expected)
    {
        Assert.Equal(code, r.Code);
        Assert.Equal("", r.Out);
        var error = r.Error.TrimEnd('\n');
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("atelier: ", error);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void An_estimate_without_a_calibration_is_refused_with_the_command_that_makes_one()
    {
        using var cli = Workspace();
        OneLine(cli.Run("cost", "estimate", "--model", "dcgan", "--resolution", "32", "--kimg", "10"), 1,
            "atelier: this workspace has no calibration: run `atelier cost calibrate` first (or name published hardware with --hardware v100|a100)");
    }

    [Fact]
    public void Calibrate_saves_what_estimate_reads_and_cost_show_sums_the_recorded_invocations()
    {
        using var cli = Workspace();
        cli.Ok("ingest", Repo.EmojiSample, "--license", "Apache-2.0");
        var calibrated = cli.Ok("cost", "calibrate", "--models", "dcgan", "--resolutions", "32", "--repeats", "2", "--steps", "2", "--warmup", "1", "--device", "cpu", "--json").Json;
        var path = Path.Combine(cli.Directory, ".atelier", "calibration.json");
        Assert.Equal(path, calibrated.GetProperty("path").GetString());
        var measured = Assert.Single(calibrated.GetProperty("measured").EnumerateArray().ToList());
        Assert.Equal(2, measured.GetProperty("secondsPerKimg").GetArrayLength());
        Assert.Equal(64, measured.GetProperty("batch").GetInt32());
        Assert.Equal("estimate", measured.GetProperty("powerMethod").GetString());

        // What the file says is what the estimate uses: wall = libtorch load + start-up + 1 snapshot (5 kimg < 10) + 5 × median.
        var file = CalibrationFile.Load(path)!;
        Assert.Equal(Environment.ProcessorCount, file.Hardware.Cores);
        Assert.StartsWith("atelier ", file.Hardware.Atelier);
        var entry = Assert.Single(file.Entries);
        Assert.True(entry.Watts > 0 && entry.SecondsPerKimg.All(v => v > 0) && entry.PeakRssBytes > 0);
        var estimate = cli.Ok("cost", "estimate", "--model", "dcgan", "--resolution", "32", "--kimg", "5", "--price-kwh", "0.5", "--json").Json;
        var wall = file.TorchLoadSeconds + entry.StartupSeconds + entry.SnapshotSeconds + 5 * entry.MedianSecondsPerKimg;
        Assert.Equal(wall, estimate.GetProperty("wallSeconds").GetProperty("expected").GetDouble(), 9);
        Assert.Equal(file.TorchLoadSeconds + entry.StartupSeconds + entry.SnapshotSeconds + 5 * entry.SecondsPerKimg.Max(),
            estimate.GetProperty("wallSeconds").GetProperty("high").GetDouble(), 9);
        var kwh = entry.Watts * wall / 3.6e6;
        Assert.Equal(kwh, estimate.GetProperty("kwh").GetProperty("expected").GetDouble(), 12);
        Assert.Equal(kwh * 0.5, estimate.GetProperty("money").GetProperty("expected").GetDouble(), 12);
        Assert.Equal(kwh * 475, estimate.GetProperty("co2Grams").GetProperty("expected").GetDouble(), 12);
        Assert.Equal("calibration", estimate.GetProperty("basis").GetString());

        var text = cli.Ok("cost", "estimate", "--model", "dcgan", "--resolution", "32", "--kimg", "5").Out;
        Assert.Contains("(from this machine's calibration):", text);
        Assert.Contains($"  source    calibration {path}, measured ", text);
        Assert.Contains("kWh at ", text);
        Assert.Contains("with batch 64 on cpu, on synthetic noise images\n", text);
        Assert.Contains("  note      data: timed on synthetic noise images;", text);

        // cost show: the workspace's invocations per stage, as the catalog holds them.
        var show = cli.Ok("cost", "show", "--json").Json;
        using var ws = Atelier.Catalog.Workspace.Open(cli.Directory);
        var rows = ws.Catalog.ListEnergy();
        Assert.Equal(["ingest", "calibrate"], rows.Select(r => r.Stage));
        var stages = show.GetProperty("stages").EnumerateArray().ToList();
        Assert.Equal(["ingest", "calibrate"], stages.Select(s => s.GetProperty("stage").GetString()));
        foreach (var stage in stages)
        {
            var mine = rows.Where(r => r.Stage == stage.GetProperty("stage").GetString()).ToList();
            Assert.Equal(mine.Count, stage.GetProperty("invocations").GetInt32());
            Assert.Equal(mine.Sum(r => r.WallSeconds), stage.GetProperty("wallSeconds").GetDouble(), 9);
            Assert.Equal(mine.Sum(r => r.Kwh), stage.GetProperty("kwh").GetDouble(), 15);
            Assert.Equal(mine.Sum(r => r.Money), stage.GetProperty("money").GetDouble(), 15);
            Assert.Equal(mine.Sum(r => r.Co2Grams), stage.GetProperty("co2Grams").GetDouble(), 12);
            Assert.Equal(mine.Count, stage.GetProperty("estimatedInvocations").GetInt32());
            Assert.True(mine.Single().Kwh > 0);
        }
        Assert.Equal(rows.Sum(r => r.Kwh), show.GetProperty("all").GetProperty("kwh").GetDouble(), 15);
        Assert.Null(rows[1].RunId);
        Assert.Equal(0, rows[1].ExitCode);

        var table = cli.Ok("cost", "show").Out;
        Assert.Contains("\ningest         1 ", "\n" + table);
        Assert.Contains("\ncalibrate      1 ", "\n" + table);
        Assert.Contains("1 of 1 (100% of kWh)", table);
        OneLine(cli.Run("cost", "show", "--run", "nope"), 1, "atelier: no run named 'nope' (see `atelier runs list`)");
    }

    [Fact]
    public void Calibrate_on_a_snapshot_times_its_own_export_and_the_estimate_says_so()
    {
        using var cli = Workspace();
        cli.Ok("ingest", Repo.EmojiSample, "--license", "Apache-2.0");
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "emoji");
        using (var ws = Atelier.Catalog.Workspace.Open(cli.Directory))
        {
            var snapshot = ws.Catalog.GetSnapshot("emoji")!;
            var line = cli.Ok("cost", "calibrate", "--models", "dcgan", "--resolutions", "32", "--repeats", "1", "--steps", "2", "--warmup", "1", "--device", "cpu", "--dataset", "emoji").Out;
            Assert.Contains($"W (estimate), on snapshot 'emoji' ({snapshot.ImageCount} images)\n", line);
            var entry = Assert.Single(CalibrationFile.Load(Path.Combine(cli.Directory, ".atelier", "calibration.json"))!.Entries);
            Assert.Equal($"snapshot 'emoji' ({snapshot.ImageCount} images)", entry.Data);
            // The steps read the export a run on the snapshot reads (built here, then reused by `train`).
            Assert.True(File.Exists(Path.Combine(ws.TrainingExportDirectory(snapshot.RootHash, 32), "dataset.json")));
        }
        var text = cli.Ok("cost", "estimate", "--model", "dcgan", "--resolution", "32", "--kimg", "5").Out;
        Assert.Contains($"on cpu, on snapshot 'emoji' (", text);
        Assert.DoesNotContain("synthetic", text);

        OneLine(cli.Run("cost", "calibrate", "--models", "dcgan", "--resolutions", "32", "--dataset", "nope"), 1, "atelier: no dataset named 'nope' (see `atelier dataset list`)");
    }

    [Fact]
    public void Published_hardware_is_estimated_from_the_cited_table()
    {
        using var cli = Workspace();
        var text = cli.Ok("cost", "estimate", "--model", "dcgan", "--resolution", "256", "--kimg", "1000", "--hardware", "v100", "--gpus", "8").Out;
        Assert.Contains("dcgan at 256 px for 1000 kimg on 8× NVIDIA Tesla V100 (SXM2) (from published figures):", text);
        Assert.Contains("  source    NVlabs/stylegan2-ada-pytorch README.md, \"Expected training time\"", text);
        Assert.Contains("  source    NVIDIA V100 datasheet (volta-v100-datasheet-update-us-1165301-r5): \"Max Power Consumption\" 300 W for SXM2", text);
        Assert.Contains("  note      not Atelier's network", text);
        var json = cli.Ok("cost", "estimate", "--model", "dcgan", "--resolution", "256", "--kimg", "1000", "--hardware", "v100", "--gpus", "8", "--json").Json;
        Assert.Equal("published", json.GetProperty("basis").GetString());
        Assert.Equal(4.4, json.GetProperty("secondsPerKimg").GetProperty("low").GetDouble());
        Assert.Equal(5.5, json.GetProperty("secondsPerKimg").GetProperty("high").GetDouble());
    }

    [Fact]
    public void Bad_inputs_get_one_line_each()
    {
        using var cli = Workspace();
        OneLine(cli.Run("cost", "estimate", "--model", "stylegan", "--resolution", "32", "--kimg", "10"), 2, "stylegan");
        OneLine(cli.Run("cost", "estimate", "--model", "dcgan", "--resolution", "256", "--kimg", "-5", "--hardware", "v100"), 1, "atelier: --kimg -5 must be a positive number");
        OneLine(cli.Run("cost", "estimate", "--model", "dcgan", "--resolution", "256", "--kimg", "10", "--hardware", "h100"), 1,
            "atelier: no published figures for hardware 'h100' (known: v100, a100)");
        OneLine(cli.Run("cost", "estimate", "--model", "dcgan", "--resolution", "256", "--kimg", "10", "--hardware", "v100", "--price-kwh", "-1"), 1,
            "atelier: --price-kwh -1 must be at least 0");
        OneLine(cli.Run("cost", "calibrate", "--models", "dcgan,stylegan"), 1, "atelier: --models: 'stylegan' is not a model (dcgan, modern)");
        OneLine(cli.Run("cost", "calibrate", "--resolutions", "48"), 1, "atelier: --resolutions: '48' is not one of 32, 64, 128, 256");

        File.WriteAllText(Path.Combine(cli.Directory, ".atelier", "calibration.json"), "{\"format\": \"atelier.calibration/1\", \"entries\": [");
        OneLine(cli.Run("cost", "estimate", "--model", "dcgan", "--resolution", "32", "--kimg", "10"), 1, "calibration.json is not a usable calibration (");
        // A refused calibration recorded nothing and left the damaged file for the user to see.
        using var ws = Atelier.Catalog.Workspace.Open(cli.Directory);
        Assert.Empty(ws.Catalog.ListEnergy("calibrate"));
    }
}
