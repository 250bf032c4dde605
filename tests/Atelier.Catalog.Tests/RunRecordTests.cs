using Atelier.Catalog;
using Atelier.TestSupport;

namespace Atelier.Catalog.Tests;

public class RunRecordTests
{
    [Fact]
    public void ARunRecordsItsSnapshotCheckpointsAndSamplesAndSurvivesReopening()
    {
        using var t = new TempWorkspace();
        var image = t.AddImage(new string('b', 64));
        var snapshot = t.Catalog.AddSnapshot("v1", "root-hash", "manifest", "all", [image]);
        var run = t.Catalog.AddRun("r1", snapshot, "dcgan", """{"batch":64}""", "atelier 0.1");
        Assert.Equal("run-exists", Assert.Throws<AtelierException>(() => t.Catalog.AddRun("r1", snapshot, "dcgan", "{}", "x")).Code);

        var first = t.Catalog.AddCheckpoint(run.Id, 1000, new string('1', 64), "ckpt-000001000.atc", null);
        t.Catalog.AddCheckpoint(run.Id, 2000, new string('2', 64), "ckpt-000002000.atc", 0.5);
        // A resumed run rewriting the checkpoint at the same image count replaces it.
        var again = t.Catalog.AddCheckpoint(run.Id, 2000, new string('3', 64), "ckpt-000002000.atc", 0.4);
        t.Catalog.MarkCheckpointDeleted(first.Id);
        t.Catalog.AddSample(run.Id, again.Id, 7, 0, """["cat"]""", new string('c', 64), "out/0.png");
        t.Catalog.UpdateRun(run.Id, RunStatus.Finished, 2000, "done");

        using var reopened = Catalog.Open(t.Catalog.DatabasePath);
        var stored = reopened.GetRun("r1")!;
        Assert.Equal(("root-hash", RunStatus.Finished, 2000L, "done"), (stored.SnapshotRoot, stored.Status, stored.ImagesSeen, stored.Message));
        Assert.Equal(snapshot.Id, stored.SnapshotId);
        var checkpoints = reopened.ListCheckpoints(run.Id);
        Assert.Equal([1000L, 2000L], checkpoints.Select(c => c.ImagesSeen));
        Assert.True(checkpoints[0].Deleted);
        Assert.Equal((new string('3', 64), 0.4), (checkpoints[1].Sha256, checkpoints[1].Score!.Value));
        var sample = Assert.Single(reopened.ListSamples(run.Id));
        Assert.Equal((checkpoints[1].Id, 7L, """["cat"]"""), (sample.CheckpointId, sample.Seed, sample.Labels));
        Assert.Equal([run.Id], reopened.RunsOfSnapshot(snapshot.Id).Select(r => r.Id));
    }
}
