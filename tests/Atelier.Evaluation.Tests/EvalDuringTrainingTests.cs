using Atelier.Catalog;
using Atelier.Training.Checkpoints;
using Atelier.Training.Networks;
using Atelier.Training.Reporting;
using Atelier.Training.Runs;
using Atelier.Training.Tests;

namespace Atelier.Evaluation.Tests;

/// <summary>train --eval-every with the real scorer (FD-ResNet18 through ONNX Runtime) on a tiny 32x32 run.</summary>
public class EvalDuringTrainingTests
{
    private const string Key = "score/fd_resnet18";

    private static TrainingOptions Dcgan(string name) => TrainingOptions.Defaults(ModelKind.Dcgan, "tiny", name) with
    {
        Resolution = 32, Kimg = 0.192, Batch = 16, SnapshotKimg = 1, TickKimg = 0.032, GridSize = 4, Device = "cpu",
        EvalEveryKimg = 0.064, EvalSamples = 16,
    };

    private static TrainingResult Train(TinyDataset data, TrainingOptions options)
    {
        using var scorer = new TrainingScorer(data.Ws, "tiny", options.EvalSamples);
        return Trainer.Start(data.Ws, options, null, TestContext.Current.CancellationToken, new TrainingHooks(scorer));
    }

    private static List<(long Images, double Score)> Scores(TinyDataset data, string run) =>
        new MetricsLog(data.RunDirectory(run), tensorBoard: false).ReadAll()
            .Where(r => r.Values.ContainsKey(Key)).Select(r => (r.Images, r.Values[Key])).ToList();

    [Fact]
    public void ScoresAreLoggedAtEachEvaluationWithACheckpointEqualWhatEvalSaysAndChooseTheBest()
    {
        using var data = new TinyDataset(count: 32);
        var result = Train(data, Dcgan("e"));
        Assert.Equal(RunStatus.Finished, result.Status);

        var scores = Scores(data, "e");
        Assert.Equal([64L, 128, 192], scores.Select(s => s.Images));
        Assert.All(scores, s => Assert.True(double.IsFinite(s.Score) && s.Score > 0, $"FD {s.Score} at {s.Images}"));
        var rows = new MetricsLog(data.RunDirectory("e"), tensorBoard: false).ReadAll();
        Assert.All(rows.Where(r => r.Values.ContainsKey(Key)), r => Assert.Equal(16, r.Values["eval/samples"]));
        Assert.Equal(new EvaluationSummary(Key, "FD-ResNet18", scores[^1].Score, scores.Min(s => s.Score), scores.MinBy(s => s.Score).Images, 3, 16, 32,
            result.Evaluation!.SessionSeconds, 3), result.Evaluation);

        // A checkpoint at every evaluation, scored with it (not with the pixel score), and "best" is the lowest.
        var run = data.Ws.Catalog.GetRun("e")!;
        var checkpoints = data.Ws.Catalog.ListCheckpoints(run.Id);
        Assert.Equal(scores.Select(s => (s.Images, (double?)s.Score)), checkpoints.Select(c => (c.ImagesSeen, c.Score)));
        var best = Sampler.PickCheckpoint(data.Ws.Catalog, run, "best");
        Assert.Equal(scores.MinBy(s => s.Score).Images, best.ImagesSeen);
        Assert.Equal(Path.Combine(data.RunDirectory("e"), "checkpoints", best.FileName), result.BestCheckpoint);

        // The logged score is what `atelier eval` gives that checkpoint with as many images and seed 0.
        var middle = checkpoints.Single(c => c.ImagesSeen == 128);
        var eval = Evaluator.Run(data.Ws, new EvaluationRequest("e", middle.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Count: 16, Seed: 0, Device: "cpu"),
            TestContext.Current.CancellationToken);
        Assert.Equal(scores[1].Score, eval.FrechetDistance.Value, 9);

        // Same seed, same scores; and evaluating does not change what is trained.
        Train(data, Dcgan("again"));
        Assert.Equal(scores, Scores(data, "again"));
        var plain = Trainer.Start(data.Ws, Dcgan("plain") with { EvalEveryKimg = 0, EvalSamples = 0 }, null, TestContext.Current.CancellationToken);
        var a = CheckpointFile.Load(plain.LatestCheckpoint!);
        var b = CheckpointFile.Load(result.LatestCheckpoint!);
        foreach (var section in a.Sections.Keys)
            Assert.True(a.Sections[section].AsSpan().SequenceEqual(b.Sections[section]), $"section {section} differs with evaluations on");
        // Without evaluations the best is chosen by the pixel score, as before.
        var plainRun = data.Ws.Catalog.GetRun("plain")!;
        Assert.All(data.Ws.Catalog.ListCheckpoints(plainRun.Id), c => Assert.NotNull(c.Score));
        Assert.DoesNotContain(new MetricsLog(data.RunDirectory("plain"), tensorBoard: false).ReadAll(), r => r.Values.ContainsKey(Key));
    }

    [Fact]
    public void EarlyStopEndsARunOnAPlateauWithACheckpointAndSaysWhy()
    {
        using var data = new TinyDataset(count: 32);
        // Learning rate 0: the modern G (no batch norm) and its average never change, so every score equals the first.
        var options = TrainingOptions.Defaults(ModelKind.Modern, "tiny", "flat") with
        {
            Resolution = 32, Kimg = 0.128, Batch = 8, SnapshotKimg = 1, TickKimg = 0.016, GridSize = 4, Device = "cpu", RegularizationInterval = 2,
            LearningRateG = 0, LearningRateD = 0, EvalEveryKimg = 0.016, EvalSamples = 8, EarlyStopPatience = 2,
        };
        var result = Train(data, options);

        var scores = Scores(data, "flat");
        Assert.Equal([16L, 32, 48], scores.Select(s => s.Images));
        Assert.Equal(RunStatus.Finished, result.Status);
        Assert.Equal(48, result.Images);
        Assert.Equal(FormattableString.Invariant($"early stop: fd_resnet18 did not improve on {scores[0].Score:0.####} (at 0.016 kimg) in 2 evaluations"), result.Message);
        var run = data.Ws.Catalog.GetRun("flat")!;
        Assert.Equal((48L, result.Message), (run.ImagesSeen, run.Message));
        Assert.Equal(48, data.Ws.Catalog.ListCheckpoints(run.Id)[^1].ImagesSeen);

        // Resumed with more patience it goes on, counting the evaluations before the stop.
        using var scorer = new TrainingScorer(data.Ws, "tiny", 8);
        var resumed = Trainer.Resume(data.Ws, "flat", null, null, TestContext.Current.CancellationToken, new TrainingHooks(scorer), new RunLimitChanges(EarlyStopPatience: 4));
        Assert.Equal(80, resumed.Images);
        Assert.Contains("in 4 evaluations", resumed.Message);
        Assert.Equal(5, resumed.Evaluation!.Evaluations);
    }
}
