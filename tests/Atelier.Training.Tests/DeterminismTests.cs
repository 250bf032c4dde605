using Atelier.Catalog;
using Atelier.Training.Checkpoints;
using Atelier.Training.Networks;
using Atelier.Training.Reporting;
using Atelier.Training.Runs;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

/// <summary>
/// Same seed, same numbers: whatever else trains in the process, and wherever a run was stopped
/// (whatever freed memory holds: <see cref="UnwrittenMemoryTests"/>).
/// </summary>
public class DeterminismTests
{
    static DeterminismTests() => TorchRuntime.EnsureLoadable();

    internal static TrainingOptions Dcgan(string name) => TrainingOptions.Defaults(ModelKind.Dcgan, "tiny", name) with
    {
        Resolution = 32, Kimg = 0.128, Batch = 16, SnapshotKimg = 0.064, TickKimg = 0.032, GridSize = 4, Device = "cpu",
    };

    internal static TrainingOptions Modern(string name) => TrainingOptions.Defaults(ModelKind.Modern, "tiny", name) with
    {
        Resolution = 32, Kimg = 0.064, Batch = 8, SnapshotKimg = 0.032, TickKimg = 0.016, GridSize = 4, Device = "cpu", RegularizationInterval = 2,
    };

    /// <summary>Every logged value except the speed and memory figures, which depend on the machine.</summary>
    internal static List<string> Logged(TinyDataset data, string run) =>
        new MetricsLog(data.RunDirectory(run), tensorBoard: false).ReadAll()
            .Select(r => $"{r.Images}:" + string.Join(",", r.Values
                .Where(kv => !kv.Key.StartsWith("speed/", StringComparison.Ordinal) && !kv.Key.StartsWith("memory/", StringComparison.Ordinal))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value:R}")))
            .ToList();

    [Theory]
    [InlineData(ModelKind.Dcgan)]
    [InlineData(ModelKind.Modern)]
    public async Task ThreeRunsInParallelThreadsGiveTheNumbersOfARunAlone(ModelKind model)
    {
        var options = model == ModelKind.Dcgan ? Dcgan("r") : Modern("r");
        var workspaces = Enumerable.Range(0, 4).Select(_ => new TinyDataset(count: 32)).ToList();
        try
        {
            Trainer.Start(workspaces[0].Ws, options, null, TestContext.Current.CancellationToken);
            var runs = workspaces.Skip(1)
                .Select(w => Task.Factory.StartNew(() => Trainer.Start(w.Ws, options, null, CancellationToken.None), TaskCreationOptions.LongRunning))
                .ToArray();
            await Task.WhenAll(runs);
            var alone = Logged(workspaces[0], "r");
            Assert.NotEmpty(alone);
            foreach (var w in workspaces.Skip(1)) Assert.Equal(alone, Logged(w, "r"));
        }
        finally
        {
            workspaces.ForEach(w => w.Dispose());
        }
    }

    [Theory]
    [InlineData(ModelKind.Dcgan, 48)]
    [InlineData(ModelKind.Modern, 24)]
    public void ARunStoppedBetweenTicksResumesExactly(ModelKind model, long stopAt)
    {
        // Stopped after a step that ends neither a tick nor a snapshot: the checkpoint written on the
        // way out must carry the part-tick's sums, the generator state and everything else.
        using var data = new TinyDataset(count: 32);
        var options = model == ModelKind.Dcgan ? Dcgan("whole") : Modern("whole");
        var whole = Trainer.Start(data.Ws, options, null, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        var first = Trainer.Start(data.Ws, options with { Name = "split" }, null, cancel.Token, images => { if (images == stopAt) cancel.Cancel(); });
        Assert.Equal((RunStatus.Stopped, stopAt), (first.Status, first.Images));
        Assert.NotEqual(0, stopAt % (long)(options.TickKimg * 1000));
        var stopped = CheckpointFile.Load(first.LatestCheckpoint!);
        Assert.Contains("\"tick\"", stopped.HeaderJson);

        var resumed = Trainer.Resume(data.Ws, "split", null, null, TestContext.Current.CancellationToken);
        Assert.Equal(RunStatus.Finished, resumed.Status);
        var a = CheckpointFile.Load(whole.LatestCheckpoint!);
        var b = CheckpointFile.Load(resumed.LatestCheckpoint!);
        Assert.Equal(a.Sections.Keys.Order(), b.Sections.Keys.Order());
        foreach (var section in a.Sections.Keys)
            Assert.True(a.Sections[section].AsSpan().SequenceEqual(b.Sections[section]), $"section {section} differs after resume");
        Assert.Equal(Logged(data, "whole"), Logged(data, "split"));
    }
}
