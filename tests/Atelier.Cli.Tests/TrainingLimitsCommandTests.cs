using System.Globalization;
using System.Text.Json;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>train --eval-every, --early-stop and the budgets through the CLI on 34 emoji faces at 32x32.</summary>
public class TrainingLimitsCommandTests
{
    private static List<JsonElement> Metrics(CliRunner cli, string run) =>
        File.ReadAllLines(Path.Combine(cli.Directory, ".atelier", "runs", run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();

    [Fact]
    public void EvalEveryScoresTheRunLogsItsSpendEachTickAndPrintsTheScoreLine()
    {
        using var cli = TrainingCommandTests.WithDataset();
        var train = cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.128", "--batch", "32", "--tick-kimg", "0.032",
            "--eval-every", "0.064", "--eval-samples", "8", "--name", "e", "--device", "cpu", "--json").Json;
        var evaluation = train.GetProperty("evaluation");
        Assert.Equal("score/fd_resnet18", evaluation.GetProperty("key").GetString());
        Assert.Equal((2, 8, 34), (evaluation.GetProperty("evaluations").GetInt32(), evaluation.GetProperty("generated").GetInt32(), evaluation.GetProperty("real").GetInt32()));

        var rows = Metrics(cli, "e");
        Assert.Equal([32L, 64, 96, 128], rows.Select(r => r.GetProperty("images").GetInt64()));
        var scored = rows.Where(r => r.TryGetProperty("score/fd_resnet18", out _)).ToList();
        Assert.Equal([64L, 128], scored.Select(r => r.GetProperty("images").GetInt64()));
        // Spend so far on every row: it only grows, and its money and CO2e are its kWh at the workspace's prices (no GPU or instance price).
        double previous = 0;
        foreach (var row in rows)
        {
            double kwh = row.GetProperty("cost/kwh").GetDouble(), seconds = row.GetProperty("time/run_seconds").GetDouble();
            Assert.True(kwh >= previous && seconds > 0, $"kWh {kwh} after {previous}, {seconds} s");
            Assert.Equal(kwh * 0.30, row.GetProperty("cost/money").GetDouble(), 12);
            Assert.Equal(kwh * 475, row.GetProperty("cost/co2_g").GetDouble(), 9);
            previous = kwh;
        }

        // "best" is the checkpoint with the lowest FD-ResNet18, and the run's checkpoints carry those scores.
        var checkpoints = cli.Ok("runs", "show", "e", "--json").Json.GetProperty("checkpoints").EnumerateArray().ToList();
        Assert.Equal(scored.Select(r => r.GetProperty("score/fd_resnet18").GetDouble()), checkpoints.Select(c => c.GetProperty("score").GetDouble()));
        var best = checkpoints.MinBy(c => c.GetProperty("score").GetDouble());
        Assert.Equal(Path.Combine(cli.Directory, ".atelier", "runs", "e", "checkpoints", best.GetProperty("fileName").GetString()!), train.GetProperty("bestCheckpoint").GetString());

        var text = cli.Ok("train", "--resume", "e", "--kimg", "0.192").Out;
        var last = Metrics(cli, "e")[^1];
        Assert.Equal(192, last.GetProperty("images").GetInt64());
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"  score        FD-ResNet18 {last.GetProperty("score/fd_resnet18").GetDouble():0.###} at 0.192 kimg, best "), text);
        Assert.Contains("(8 generated, 34 real; 3 evaluations, ", text);
    }

    [Fact]
    public void ABudgetStopsTheRunWithACheckpointAndExit0AndALargerOneContinuesIt()
    {
        using var cli = TrainingCommandTests.WithDataset();
        var first = cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.128", "--batch", "32", "--tick-kimg", "0.032",
            "--budget-kwh", "0.000000000001", "--name", "b", "--device", "cpu");
        Assert.Contains("Run b finished at 0.03 kimg", first.Out);
        Assert.Contains("  stopped      budget reached: ", first.Out);
        Assert.Contains("kWh budget used (estimate) (--budget-kwh)", first.Out);
        var show = cli.Ok("runs", "show", "b", "--json").Json;
        Assert.Equal(32, show.GetProperty("checkpoints")[0].GetProperty("imagesSeen").GetInt64());
        Assert.StartsWith("budget reached: ", show.GetProperty("message").GetString());

        var again = cli.Run("train", "--resume", "b");
        Assert.Equal(1, again.Code);
        Assert.Contains("run 'b' has already spent its budget (", again.Error);
        Assert.Single(again.Error.Trim().Split('\n'));

        var firstSession = cli.Ok("runs", "show", "b", "--json").Json.GetProperty("energy").GetProperty("invocations")[0].GetProperty("wallSeconds").GetDouble();
        var resumed = cli.Ok("train", "--resume", "b", "--budget-hours", "100", "--budget-kwh", "100", "--json").Json;
        Assert.Equal(("finished", 128L), (resumed.GetProperty("status").GetString(), resumed.GetProperty("images").GetInt64()));
        // The spend of the resumed session's rows counts the earlier sessions too (the refused resume's among them).
        var rows = Metrics(cli, "b");
        Assert.Equal(4, rows.Count);
        Assert.True(rows[1].GetProperty("time/run_seconds").GetDouble() > firstSession, $"{rows[1]} after a first session of {firstSession} s");
    }
}
