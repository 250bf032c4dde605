using Atelier.Catalog;
using Atelier.Governance.Audit;
using Atelier.Training.Networks;
using Atelier.Training.Runs;

namespace Atelier.Training.Tests;

/// <summary>What two processes training on one workspace share: the cached export and run names.</summary>
public class TrainingConcurrencyTests
{
    static TrainingConcurrencyTests() => TorchRuntime.EnsureLoadable();

    [Fact]
    public void RunsPreparingOneExportAtOnceShareOneWholeCopyMadeOnce()
    {
        using var data = new TinyDataset(count: 48);
        var snapshot = data.Ws.Catalog.GetSnapshot(data.Name)!;
        const int Preparers = 4;
        using var start = new Barrier(Preparers);
        var results = new string?[Preparers];
        var failures = new Exception?[Preparers];
        var threads = Enumerable.Range(0, Preparers).Select(i => new Thread(() =>
        {
            try
            {
                // Each its own workspace (own catalog connection), as separate commands would have.
                using var ws = Workspace.Open(data.Workspace.Directory);
                start.SignalAndWait();
                results[i] = TrainingExports.Prepare(ws, snapshot, 32, TestContext.Current.CancellationToken);
            }
            catch (Exception e) { failures[i] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(failures, e => Assert.Null(e));
        var directory = Assert.Single(results.Distinct())!;
        using (var set = Data.TrainingSet.Open(directory, Data.ConditioningRequest.Parse("none"), 32))
            Assert.Equal(48, set.Count);
        // The others waited for the first and read its copy: one export, and no folder left half-built.
        Assert.Single(data.Ws.Catalog.AllAuditEntries(), e => e.Action == AuditAction.Export);
        Assert.Equal(directory, Assert.Single(Directory.GetDirectories(Path.GetDirectoryName(directory)!)));
        Assert.Contains($"\"output\":\"{directory}\"", data.Ws.Catalog.AllAuditEntries().Single(e => e.Action == AuditAction.Export).Detail);
    }

    [Fact]
    public void WhatAKilledExportLeftIsRemovedAndTheExportMadeAgain()
    {
        using var data = new TinyDataset(count: 16);
        var snapshot = data.Ws.Catalog.GetSnapshot(data.Name)!;
        var directory = data.Ws.TrainingExportDirectory(snapshot.RootHash, 32);
        var leftover = directory + TrainingExports.BuildingSuffix + "0123";
        Directory.CreateDirectory(leftover);
        File.WriteAllBytes(Path.Combine(leftover, "shard-00000.bin.partial"), [1, 2, 3]);
        // An older version exported in place: a final folder without dataset.json is unfinished.
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, "shard-00000.bin"), [1, 2, 3]);

        Assert.Equal(directory, TrainingExports.Prepare(data.Ws, snapshot, 32, TestContext.Current.CancellationToken));
        Assert.False(Directory.Exists(leftover));
        using var set = Data.TrainingSet.Open(directory, Data.ConditioningRequest.Parse("none"), 32);
        Assert.Equal(16, set.Count);
    }

    [Fact]
    public void ARunBeingTrainedByAnotherProcessCannotBeResumed()
    {
        using var data = new TinyDataset(count: 16);
        var options = TrainingOptions.Defaults(ModelKind.Dcgan, data.Name, "busy") with
        {
            Resolution = 32, Kimg = 0.032, Batch = 16, SnapshotKimg = 0.032, TickKimg = 0.032, GridSize = 4, Device = "cpu",
        };
        Trainer.Start(data.Ws, options, null, TestContext.Current.CancellationToken);
        var before = data.Ws.Catalog.AllAuditEntries().Count;
        using (new RunFolder(data.Ws, "busy").LockForTraining())
        {
            using var other = Workspace.Open(data.Workspace.Directory);
            var refused = Assert.Throws<TrainingException>(() => Trainer.Resume(other, "busy", 0.064, null, TestContext.Current.CancellationToken));
            Assert.Equal("run-busy", refused.Code);
        }
        // Refused before anything was recorded; once the lock is free the run continues.
        Assert.Equal(before, data.Ws.Catalog.AllAuditEntries().Count);
        Assert.Equal(64, Trainer.Resume(data.Ws, "busy", 0.064, null, TestContext.Current.CancellationToken).Images);
    }
}
