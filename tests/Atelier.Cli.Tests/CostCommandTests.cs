using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Catalog;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>Energy and cost through the CLI: every stage invocation is metered and recorded, runs show it labelled.</summary>
public class CostCommandTests
{
    private static string Missing() => Path.Combine(Path.GetTempPath(), "atelier-no-powercap-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_tiny_training_records_its_energy_and_runs_show_labels_it_an_estimate()
    {
        using var cli = new CliRunner();
        // This machine kind has no /sys/class/powercap; pointing at a missing folder makes that so on any machine.
        var missing = Missing();
        cli.Environment["ATELIER_POWERCAP"] = missing;
        cli.Ok("init");
        cli.Ok("ingest", Repo.EmojiSample, "--metadata", "emoji.json", "--license", "Apache-2.0", "--map", "tags:category=category");
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "faces", "--where", "tag:smileys_&_emotion");
        cli.Ok("dataset", "export", "faces", "--resolution", "32", "--out", Path.Combine(cli.Directory, "export"));

        var train = cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.064", "--batch", "32", "--name", "r1", "--device", "cpu").Out;
        var costLine = train.Split('\n').Single(l => l.StartsWith("  cost ", StringComparison.Ordinal));
        Assert.Contains("kWh, EUR ", costLine);
        Assert.Contains("g CO2e (estimate): TDP ", costLine);
        Assert.Contains($"no {missing} (RAPL not exposed on this machine)", costLine);
        Assert.DoesNotContain("run total", train); // one session: the cost line is the run's

        var resumed = cli.Ok("train", "--resume", "r1", "--kimg", "0.128", "--json").Json;
        Assert.Equal("estimate", resumed.GetProperty("cost").GetProperty("thisSession").GetProperty("method").GetString());
        Assert.Equal(2, resumed.GetProperty("cost").GetProperty("run").GetProperty("sessions").GetInt32());
        cli.Ok("sample", "--run", "r1", "--n", "2", "--out", Path.Combine(cli.Directory, "samples"));

        var show = cli.Ok("runs", "show", "r1").Out;
        Assert.Contains("  energy      2 training sessions, ", show);
        Assert.Contains(" g CO2e (estimate)", show);
        var invocations = show.Split('\n').Where(l => l.StartsWith("  train ", StringComparison.Ordinal) || l.StartsWith("  sample ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, invocations.Count);
        Assert.All(invocations, l => Assert.Contains(" kWh  EUR ", l));
        Assert.All(invocations, l => Assert.Contains("estimate (TDP ", l));

        var json = cli.Ok("runs", "show", "r1", "--json").Json.GetProperty("energy");
        var training = json.GetProperty("training");
        Assert.Equal("estimate", training.GetProperty("method").GetString());
        var rows = json.GetProperty("invocations").EnumerateArray().ToList();
        Assert.Equal(["train", "train", "sample"], rows.Select(r => r.GetProperty("stage").GetString()));
        Assert.All(rows, r => Assert.Equal("estimate", r.GetProperty("cpuMethod").GetString()));
        Assert.All(rows, r => Assert.True(r.GetProperty("cpuSeconds").GetDouble() > 0));
        // The run's training total is the sum of its two sessions (the sampling is listed, not added to it).
        var trainKwh = rows.Take(2).Sum(r => r.GetProperty("kwh").GetDouble());
        Assert.True(trainKwh > 0);
        Assert.Equal(trainKwh, training.GetProperty("kwh").GetDouble(), 12);
        Assert.Equal(trainKwh * 475, training.GetProperty("co2Grams").GetDouble(), 9);
        Assert.Equal(trainKwh * 0.30, training.GetProperty("money").GetDouble(), 12);

        // Every stage invocation is recorded, with or without a run.
        using var ws = Workspace.Open(cli.Directory);
        Assert.Single(ws.Catalog.ListEnergy("ingest"));
        var export = Assert.Single(ws.Catalog.ListEnergy("export"));
        Assert.Null(export.RunId);
        Assert.Equal(0, export.ExitCode);
    }

    [Fact]
    public void Readable_rapl_counters_make_the_energy_measured()
    {
        using var cli = new CliRunner();
        using var powercap = new TempDir();
        powercap.Write("intel-rapl:0/name", "package-0\n");
        powercap.Write("intel-rapl:0/energy_uj", "123456\n");
        powercap.Write("intel-rapl:0/max_energy_range_uj", "262143328850\n");
        cli.Environment["ATELIER_POWERCAP"] = powercap.Path;
        cli.Ok("init");
        cli.Ok("ingest", Repo.EmojiSample, "--license", "Apache-2.0");

        using var ws = Workspace.Open(cli.Directory);
        var row = Assert.Single(ws.Catalog.ListEnergy("ingest"));
        Assert.Equal("rapl", row.CpuMethod);
        Assert.Equal(0, row.CpuJoules); // the fake counter did not move
        Assert.Null(row.GpuJoules); // no NVML on this machine kind; on a GPU machine it would be read
    }

    [Fact]
    public void Prices_that_make_no_sense_are_refused_with_the_field_before_the_stage_runs()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var configPath = Path.Combine(cli.Directory, ".atelier", "config.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        config["cost"] = new JsonObject { ["pricePerKwh"] = -0.5 };
        File.WriteAllText(configPath, config.ToJsonString());

        var r = cli.Run("ingest", Repo.EmojiSample, "--license", "Apache-2.0");
        Assert.Equal(1, r.Code);
        Assert.Equal($"atelier: cost.pricePerKwh in config.json is {(-0.5).ToString(CultureInfo.InvariantCulture)}; it must be a number of at least 0", r.Error.Trim());
        using var ws = Workspace.Open(cli.Directory);
        Assert.Equal(0, ws.Catalog.ImageCount);
    }
}
