using Atelier.Catalog;
using Atelier.Training.Checkpoints;
using Atelier.Training.Networks;
using Atelier.Training.Reporting;
using Atelier.Training.Losses;
using Atelier.Training.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public class TrainerTests
{
    static TrainerTests() => TorchRuntime.EnsureLoadable();

    private static TrainingOptions Dcgan(string name, double kimg) => TrainingOptions.Defaults(ModelKind.Dcgan, "tiny", name) with
    {
        Resolution = 32, Kimg = kimg, Batch = 32, SnapshotKimg = 0.256, TickKimg = 0.064, GridSize = 16, Device = "cpu",
    };

    [Fact]
    public void ATrainedGeneratorMovesTowardTheDataAndBeatsAnUntrainedOne()
    {
        using var data = new TinyDataset(count: 96);
        var result = Trainer.Start(data.Ws, Dcgan("learn", 6.4) with { SnapshotKimg = 6.4 }, null, TestContext.Current.CancellationToken);
        Assert.Equal(RunStatus.Finished, result.Status);
        Assert.Equal(6400, result.Images);

        var (trained, untrained) = PixelScores(data, result);
        // The untrained generator gives grey noise; the data is a dark blue ground with red or yellow shapes.
        Assert.True(trained < 0.75 * untrained, $"pixel Fréchet distance to the data: trained {trained:0.00}, untrained {untrained:0.00}");

        var metrics = new MetricsLog(data.RunDirectory("learn"), tensorBoard: false).ReadAll();
        Assert.Contains("score/pixel_fd", metrics[^1].Values.Keys);
        Assert.True(File.Exists(result.LatestGrid) && File.Exists(result.LossPlot) && File.Exists(result.LatestCheckpoint));
        Assert.NotEmpty(Directory.GetFiles(data.RunDirectory("learn"), "events.out.tfevents*"));
    }

    /// <summary>Pixel Fréchet distance to the data of the trained G_ema and of a fresh generator with the same latents.</summary>
    private static (double Trained, double Untrained) PixelScores(TinyDataset data, TrainingResult result)
    {
        using var scope = NewDisposeScope();
        var (g, _, labels) = TrainingSession.LoadGenerator(CheckpointFile.Load(result.LatestCheckpoint!), CPU);
        using var trained = g;
        using var fresh = GanNetworks.CreateGenerator(g.Spec);
        fresh.eval();
        using var noGrad = no_grad();
        var z = randn(256, g.Spec.LatentDim, generator: new torch.Generator(3));
        var none = zeros(256, labels.Dim);
        var export = Directory.GetDirectories(Path.Combine(data.Workspace.Directory, ".atelier", "exports")).Single();
        using var set = Data.TrainingSet.Open(export, Data.ConditioningRequest.Parse("none"), 32);
        using var stream = new Data.BatchStream(set, set.Count, 1, 0, mirror: false, prefetch: 1);
        var batch = stream.Next();
        var real = PixelFrechet.Statistics(tensor(batch.Images, [batch.Size, 3, 32, 32]));
        return (PixelFrechet.Distance(PixelFrechet.Statistics(trained.call(z, none)), real),
                PixelFrechet.Distance(PixelFrechet.Statistics(fresh.call(z, none)), real));
    }

    [Fact]
    public void AnInterruptedAndResumedRunEqualsAnUninterruptedOne()
    {
        using var data = new TinyDataset();
        var whole = Trainer.Start(data.Ws, Dcgan("whole", 0.512), null, TestContext.Current.CancellationToken);

        using var cancel = new CancellationTokenSource();
        var progress = new SyncProgress(t => { if (t.Images >= 256) cancel.Cancel(); });
        var first = Trainer.Start(data.Ws, Dcgan("split", 0.512), progress, cancel.Token);
        Assert.Equal(RunStatus.Stopped, first.Status);
        Assert.Equal(256, first.Images);
        Assert.Equal(RunStatus.Stopped, data.Ws.Catalog.GetRun("split")!.Status);
        var resumed = Trainer.Resume(data.Ws, "split", null, null, TestContext.Current.CancellationToken);
        Assert.Equal((RunStatus.Finished, 512L), (resumed.Status, resumed.Images));

        var a = CheckpointFile.Load(whole.LatestCheckpoint!);
        var b = CheckpointFile.Load(resumed.LatestCheckpoint!);
        foreach (var section in new[] { "G", "D", "G_ema", "optimizer_G", "optimizer_D", "rng" })
            Assert.True(a.Sections[section].AsSpan().SequenceEqual(b.Sections[section]), $"section {section} differs after resume");
        var lossesA = Losses(data, "whole");
        var lossesB = Losses(data, "split");
        Assert.Equal(lossesA.Count, lossesB.Count);
        Assert.Equal(lossesA, lossesB);
    }

    [Fact]
    public void TheModernModelWithAdaptiveAugmentationAndPenaltiesResumesExactly()
    {
        using var data = new TinyDataset(count: 32);
        var options = TrainingOptions.Defaults(ModelKind.Modern, "tiny", "m") with
        {
            Resolution = 32, Kimg = 0.064, Batch = 8, SnapshotKimg = 0.032, TickKimg = 0.016, GridSize = 4, Device = "cpu", RegularizationInterval = 2,
        };
        var whole = Trainer.Start(data.Ws, options, null, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        var first = Trainer.Start(data.Ws, options with { Name = "m2" }, new SyncProgress(t => { if (t.Images >= 32) cancel.Cancel(); }), cancel.Token);
        Assert.Equal(32, first.Images);
        var resumed = Trainer.Resume(data.Ws, "m2", null, null, TestContext.Current.CancellationToken);
        var a = CheckpointFile.Load(whole.LatestCheckpoint!);
        var b = CheckpointFile.Load(resumed.LatestCheckpoint!);
        foreach (var section in new[] { "G", "D", "G_ema", "optimizer_G", "optimizer_D" })
            Assert.True(a.Sections[section].AsSpan().SequenceEqual(b.Sections[section]), $"section {section} differs after resume");
        Assert.Equal(Losses(data, "m"), Losses(data, "m2"));

        // The modern default decays along R3GAN's cosine over the run: each metrics row has a lower learning rate and
        // penalty weight and a higher beta2 than the one before, and the resumed run logged the same schedule.
        var rows = new MetricsLog(data.RunDirectory("m"), tensorBoard: false).ReadAll();
        Assert.True(rows.Count >= 3, $"only {rows.Count} metrics rows");
        for (int i = 1; i < rows.Count; i++)
        {
            Assert.True(rows[i].Values[ScheduleParts.LearningRateG] < rows[i - 1].Values[ScheduleParts.LearningRateG]);
            Assert.True(rows[i].Values[ScheduleParts.GammaScale] < rows[i - 1].Values[ScheduleParts.GammaScale]);
            Assert.True(rows[i].Values[ScheduleParts.Beta2] > rows[i - 1].Values[ScheduleParts.Beta2]);
        }
        Assert.InRange(rows[^1].Values[ScheduleParts.LearningRateG], 5e-5, 1e-4);
        var resumedRows = new MetricsLog(data.RunDirectory("m2"), tensorBoard: false).ReadAll();
        Assert.Equal(rows.Select(r => r.Values[ScheduleParts.LearningRateG]), resumedRows.Select(r => r.Values[ScheduleParts.LearningRateG]));
    }

    private static List<string> Losses(TinyDataset data, string run) =>
        new MetricsLog(data.RunDirectory(run), tensorBoard: false).ReadAll()
            .Select(r => $"{r.Images}:" + string.Join(",", r.Values.Where(kv => kv.Key.StartsWith("loss/", StringComparison.Ordinal) || kv.Key.StartsWith("augment/p", StringComparison.Ordinal))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value:R}")))
            .ToList();

    [Fact]
    public void RunsAndCheckpointsAreRecordedWithTheirSnapshotAndPruned()
    {
        using var data = new TinyDataset(count: 32);
        var result = Trainer.Start(data.Ws, Dcgan("rec", 0.32) with { SnapshotKimg = 0.064, KeepCheckpoints = 2 }, null, TestContext.Current.CancellationToken);
        var run = data.Ws.Catalog.GetRun("rec")!;
        Assert.Equal(data.Ws.Catalog.GetSnapshot("tiny")!.RootHash, run.SnapshotRoot);
        Assert.Contains("\"resolution\":32", run.Config);
        var records = data.Ws.Catalog.ListCheckpoints(run.Id);
        Assert.Equal([64L, 128, 192, 256, 320], records.Select(r => r.ImagesSeen));
        var onDisk = Directory.GetFiles(Path.Combine(data.RunDirectory("rec"), "checkpoints")).Select(Path.GetFileName).ToHashSet();
        foreach (var r in records)
        {
            Assert.Equal(!r.Deleted, onDisk.Contains(r.FileName));
            if (!r.Deleted) Assert.Equal(r.Sha256, Catalog.BlobStore.Sha256Hex(File.ReadAllBytes(Path.Combine(data.RunDirectory("rec"), "checkpoints", r.FileName))));
        }
        // The last two and the best (lowest score) are kept.
        var best = records.MinBy(r => r.Score)!;
        Assert.False(best.Deleted);
        Assert.Equal(records.Count(r => !r.Deleted), new[] { records[^1].Id, records[^2].Id, best.Id }.Distinct().Count());
        Assert.Equal(result.LatestCheckpoint, Path.Combine(data.RunDirectory("rec"), "checkpoints", records[^1].FileName));
    }

    [Theory]
    [InlineData("unknown-dataset", "nope", 32, "none")]
    [InlineData("bad-resolution", "tiny", 48, "none")]
    [InlineData("unknown-category", "tiny", 32, "animal")]
    public void RequestsTheDataCannotSatisfyAreRefusedBeforeAnythingIsRecorded(string code, string dataset, int resolution, string cond)
    {
        using var data = new TinyDataset(count: 8);
        var e = Assert.ThrowsAny<AtelierException>(() => Trainer.Start(data.Ws, Dcgan("bad", 0.1) with { Dataset = dataset, Resolution = resolution, Conditioning = cond }, null, TestContext.Current.CancellationToken));
        Assert.Equal(code, e.Code);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Null(data.Ws.Catalog.GetRun("bad"));
    }

    [Theory]
    [InlineData("bad-batch")]
    [InlineData("bad-length")]
    [InlineData("bad-augment")]
    [InlineData("bad-run-name")]
    [InlineData("bad-device")]
    [InlineData("no-cuda")]
    public void BadOptionsAreRefusedWithTheirCodeBeforeAnythingIsRecorded(string code)
    {
        using var data = new TinyDataset(count: 8);
        var options = Dcgan("bad", 0.1);
        options = code switch
        {
            "bad-batch" => options with { Batch = 0 },
            "bad-length" => options with { Kimg = -1 },
            "bad-augment" => options with { Augment = "sometimes" },
            "bad-run-name" => options with { Name = "../escape" },
            "bad-device" => options with { Device = "tpu" },
            _ => options with { Device = "cuda" }, // this build and CI carry the CPU libtorch only
        };
        var e = Assert.ThrowsAny<AtelierException>(() => Trainer.Start(data.Ws, options, null, TestContext.Current.CancellationToken));
        Assert.Equal(code, e.Code);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(data.Ws.Catalog.ListRuns());
    }

    [Fact]
    public void ClassConditioningNeedsEveryImageToHaveAClass()
    {
        using var data = new TinyDataset(count: 8, untaggedShape: "square");
        var e = Assert.ThrowsAny<AtelierException>(() => Trainer.Start(data.Ws, Dcgan("c", 0.1) with { Conditioning = "shape" }, null, TestContext.Current.CancellationToken));
        Assert.Contains("shape", e.Message);
        // Multi-label conditioning over the same data is refused too: four images carry no tags at all.
        Assert.ThrowsAny<AtelierException>(() => Trainer.Start(data.Ws, Dcgan("m", 0.1) with { Conditioning = "multi" }, null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void AnExplodingLossStopsWithTheLastGoodCheckpointNamed()
    {
        using var data = new TinyDataset(count: 32);
        var e = Assert.Throws<TrainingException>(() => Trainer.Start(data.Ws,
            Dcgan("nan", 2) with { LearningRateD = 1e30, LearningRateG = 1e30, Beta1 = 0.9, SnapshotKimg = 0.032 }, null, TestContext.Current.CancellationToken));
        Assert.Equal("non-finite-loss", e.Code);
        var run = data.Ws.Catalog.GetRun("nan")!;
        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains("last good checkpoint", e.Message);
    }

    private sealed class SyncProgress(Action<TrainingTick> action) : IProgress<TrainingTick>
    {
        public void Report(TrainingTick value) => action(value);
    }
}
