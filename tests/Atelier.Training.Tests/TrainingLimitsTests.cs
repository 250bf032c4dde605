using Atelier.Catalog;
using Atelier.Training.Checkpoints;
using Atelier.Training.Networks;
using Atelier.Training.Reporting;
using Atelier.Training.Runs;

namespace Atelier.Training.Tests;

/// <summary>
/// Budgets, the spend logged each tick, and the refusals of --eval-every, --early-stop and the budgets. The spend
/// probe here charges a fixed amount per image trained, so where a budget stops a run is known exactly (the CLI's
/// probe, its energy meter, is tested in Atelier.Cli.Tests; scoring in Atelier.Evaluation.Tests).
/// </summary>
public class TrainingLimitsTests
{
    static TrainingLimitsTests() => TorchRuntime.EnsureLoadable();

    private static TrainingOptions Dcgan(string name) => DeterminismTests.Dcgan(name) with { Kimg = 0.512 };

    /// <summary>1e-6 kWh, 0.01 money and 2 s per image: what a probe of this run's spend reads after <paramref name="images"/>.</summary>
    private static RunSpend PerImage(long images) => new(images * 2.0, images * 1e-6, images * 0.01, "EUR", images * 0.5, Estimate: true);

    private static (TrainingHooks Hooks, Action<long> AfterStep) Charged(long already = 0)
    {
        long images = already;
        return (new TrainingHooks(Spend: () => PerImage(images)), seen => images = seen);
    }

    [Fact]
    public void AKwhBudgetStopsTheRunAtTheFirstTickPastItWithACheckpointAndSaysSo()
    {
        using var data = new TinyDataset(count: 32);
        var (hooks, afterStep) = Charged();
        // Ticks every 32 images: the budget of 100 images' worth is reached at 128.
        var result = Trainer.Start(data.Ws, Dcgan("b") with { BudgetKwh = 1e-4 }, null, TestContext.Current.CancellationToken, afterStep, hooks);

        Assert.Equal(RunStatus.Finished, result.Status);
        Assert.Equal(128, result.Images);
        Assert.StartsWith("budget reached: 0.000128 kWh of the 0.0001 kWh budget used (estimate) (--budget-kwh)", result.Message);
        var run = data.Ws.Catalog.GetRun("b")!;
        Assert.Equal((RunStatus.Finished, 128L, result.Message), (run.Status, run.ImagesSeen, run.Message));
        Assert.Equal(Path.Combine(data.RunDirectory("b"), "checkpoints", "ckpt-000000128.atc"), result.LatestCheckpoint);
        Assert.Equal(128, data.Ws.Catalog.ListCheckpoints(run.Id)[^1].ImagesSeen);

        // Every row carries the run's spend so far.
        var rows = new MetricsLog(data.RunDirectory("b"), tensorBoard: false).ReadAll();
        Assert.Equal([32L, 64, 96, 128], rows.Select(r => r.Images));
        foreach (var row in rows)
        {
            Assert.Equal(row.Images * 2.0, row.Values["time/run_seconds"]);
            Assert.Equal(row.Images * 1e-6, row.Values["cost/kwh"], 12);
            Assert.Equal(row.Images * 0.01, row.Values["cost/money"], 12);
            Assert.Equal(row.Images * 0.5, row.Values["cost/co2_g"], 12);
        }
    }

    [Theory]
    [InlineData("money", 64, "budget reached: EUR 0.64 of the EUR 0.5 budget spent (--budget-money)")]
    [InlineData("hours", 96, "budget reached: 0.0533 h of the 0.05 h budget trained (--budget-hours)")]
    public void MoneyAndHourBudgetsStopTheRunToo(string which, long stopsAt, string message)
    {
        using var data = new TinyDataset(count: 32);
        var (hooks, afterStep) = Charged();
        var options = which == "money" ? Dcgan("b") with { BudgetMoney = 0.5 } : Dcgan("b") with { BudgetHours = 0.05 };
        var result = Trainer.Start(data.Ws, options, null, TestContext.Current.CancellationToken, afterStep, hooks);
        Assert.Equal((stopsAt, message), (result.Images, result.Message));
    }

    [Fact]
    public void ARunStoppedByItsBudgetContinuesUnderALargerOneExactlyAsIfNeverStopped()
    {
        using var data = new TinyDataset(count: 32);
        var whole = Trainer.Start(data.Ws, Dcgan("whole") with { Kimg = 0.256 }, null, TestContext.Current.CancellationToken);

        var (hooks, afterStep) = Charged();
        var first = Trainer.Start(data.Ws, Dcgan("split") with { Kimg = 0.256, BudgetKwh = 1e-4 }, null, TestContext.Current.CancellationToken, afterStep, hooks);
        Assert.Equal(128, first.Images);

        // The same budget: refused at once with the reason, nothing trained.
        var (again, againStep) = Charged(already: 128);
        var refused = Assert.Throws<TrainingException>(() => Trainer.Resume(data.Ws, "split", null, null, TestContext.Current.CancellationToken, againStep, again));
        Assert.Equal("budget-reached", refused.Code);
        Assert.Contains("resume it with a larger one", refused.Message);
        Assert.Equal(128, data.Ws.Catalog.GetRun("split")!.ImagesSeen);

        var (larger, largerStep) = Charged(already: 128);
        var resumed = Trainer.Resume(data.Ws, "split", null, null, TestContext.Current.CancellationToken, largerStep, larger, new RunLimitChanges(BudgetKwh: 1));
        Assert.Equal((RunStatus.Finished, 256L, (string?)null), (resumed.Status, resumed.Images, resumed.Message));
        var a = CheckpointFile.Load(whole.LatestCheckpoint!);
        var b = CheckpointFile.Load(resumed.LatestCheckpoint!);
        foreach (var section in a.Sections.Keys)
            Assert.True(a.Sections[section].AsSpan().SequenceEqual(b.Sections[section]), $"section {section} differs after the budget stop and resume");
        Assert.Equal(Losses(data, "whole"), Losses(data, "split"));
    }

    private static List<string> Losses(TinyDataset data, string run) =>
        DeterminismTests.Logged(data, run).Select(line => string.Join(",", line.Split(',').Where(p => !p.Contains("time/") && !p.Contains("cost/")))).ToList();

    [Theory]
    [InlineData("early-stop-needs-eval")]
    [InlineData("bad-eval-every")]
    [InlineData("bad-eval-samples")]
    [InlineData("bad-early-stop")]
    [InlineData("bad-budget")]
    [InlineData("no-scorer")]
    [InlineData("no-spend-probe")]
    public void LimitsThatCannotWorkAreRefusedWithTheirCodeBeforeAnythingIsRecorded(string code)
    {
        using var data = new TinyDataset(count: 8);
        var (spend, _) = Charged();
        var options = Dcgan("bad");
        var hooks = spend;
        (options, hooks) = code switch
        {
            "early-stop-needs-eval" => (options with { EarlyStopPatience = 3 }, hooks),
            "bad-eval-every" => (options with { EvalEveryKimg = -1 }, hooks),
            "bad-eval-samples" => (options with { EvalSamples = -5 }, hooks),
            "bad-early-stop" => (options with { EarlyStopPatience = -1 }, hooks),
            "bad-budget" => (options with { BudgetKwh = 0 }, hooks),
            "no-scorer" => (options with { EvalEveryKimg = 1 }, hooks),
            _ => (options with { BudgetHours = 1 }, TrainingHooks.None),
        };
        var e = Assert.Throws<TrainingException>(() => Trainer.Start(data.Ws, options, null, TestContext.Current.CancellationToken, hooks));
        Assert.Equal(code, e.Code);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(data.Ws.Catalog.ListRuns());
    }

    [Fact]
    public void AConfigurationStoredBeforeTheseOptionsExistedLoadsWithThemOff()
    {
        const string old = """{"dataset":"d","name":"r","model":"dcgan","resolution":32,"kimg":1,"batch":16,"device":"cpu"}""";
        var options = TrainingOptions.FromJson(old);
        Assert.Equal((0.0, 0, 0), (options.EvalEveryKimg, options.EvalSamples, options.EarlyStopPatience));
        Assert.False(options.HasBudget);
        options.ValidateLimits();
        // And what is stored now reads back whole.
        var now = options with { EvalEveryKimg = 2, EvalSamples = 64, EarlyStopPatience = 3, BudgetMoney = 1.5, BudgetKwh = 0.2, BudgetHours = 4 };
        Assert.Equal(now, TrainingOptions.FromJson(now.ToJson()));
    }
}
