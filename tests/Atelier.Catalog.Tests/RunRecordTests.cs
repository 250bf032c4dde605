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

public class SampleMarkRecordTests
{
    [Fact]
    public void APayloadNamesOneSampleAndLeadsToItsCheckpointRunSnapshotAndTaints()
    {
        using var t = new TempWorkspace();
        var image = t.AddImage(new string('b', 64));
        var snapshot = t.Catalog.AddSnapshot("v1", "root-hash", "manifest", "all", [image]);
        var run = t.Catalog.AddRun("r1", snapshot, "dcgan", "{}", "atelier 0.1");
        var checkpoint = t.Catalog.AddCheckpoint(run.Id, 1000, new string('1', 64), "ckpt-000001000.atc", null);
        var old = t.Catalog.AddSample(run.Id, checkpoint.Id, 7, 0, null, new string('c', 64), "out/0.png");
        var marked = t.Catalog.AddSample(run.Id, checkpoint.Id, 7, 1, null, new string('d', 64), "out/1.jpg", "00ff00ff00ff00ff", "jpeg");
        Assert.Equal((null, "png"), (t.Catalog.GetSample(old.Id)!.MarkPayload, t.Catalog.GetSample(old.Id)!.Format));
        Assert.Equal(("00ff00ff00ff00ff", "jpeg"), (t.Catalog.GetSample(marked.Id)!.MarkPayload, t.Catalog.GetSample(marked.Id)!.Format));
        Assert.True(t.Catalog.IsMarkPayloadTaken("00ff00ff00ff00ff"));
        Assert.False(t.Catalog.IsMarkPayloadTaken("00ff00ff00ff00fe"));
        Assert.Equal("mark-taken", Assert.Throws<AtelierException>(() =>
            t.Catalog.AddSample(run.Id, checkpoint.Id, 8, 0, null, new string('e', 64), "out/2.png", "00ff00ff00ff00ff")).Code);
        Assert.Throws<ArgumentException>(() => t.Catalog.AddSample(run.Id, checkpoint.Id, 8, 0, null, new string('e', 64), "out/2.png", "00FF00FF00FF00FF"));
        Assert.Equal(2, t.Catalog.ListSamples(run.Id).Count);

        var lineage = t.Catalog.LineageOfMark("00ff00ff00ff00ff")!;
        Assert.Equal((marked.Id, checkpoint.Id, run.Id, snapshot.Id, false), (lineage.Sample.Id, lineage.Checkpoint.Id, lineage.Run.Id, lineage.Snapshot.Id, lineage.Tainted));
        Assert.Null(t.Catalog.LineageOfMark("00ff00ff00ff00fe"));
        t.Catalog.TaintDownstream([image], "quarantine", "5", "image 5 quarantined");
        Assert.Equal([TaintKind.Checkpoint, TaintKind.Run, TaintKind.Snapshot], t.Catalog.LineageOfMark("00ff00ff00ff00ff")!.Taints.Select(x => x.Kind));

        var withheld = t.Catalog.AddWithheldSample(run.Id, checkpoint.Id, 7, 2, "pixels,features", null, null, 0.01, image, 4.5, image);
        var read = Assert.Single(t.Catalog.ListWithheldSamples(run.Id));
        Assert.Equal(withheld with { CreatedAt = read.CreatedAt }, read);
        Assert.Equal((null, 0.01, 4.5, (long?)image), (read.PdqDistance, read.FeatureDistance, read.PixelDistance, read.PixelImageId));
        Assert.Equal([(image, new string('b', 64), (byte[]?)null)], t.Catalog.SnapshotImageHashes(snapshot.Id).Select(x => (x.ImageId, x.Sha256, x.Pdq)));
    }
}

public class RunInitialisationRecordTests
{
    [Fact]
    public void ARunOfTheReleaseBeforeSchemaSevenReadsAsFreshWeightsAndANewOneKeepsItsSource()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "catalog.db");
        Catalog.Open(path).Dispose();
        // Back to schema 6 as the previous release has it, with one run recorded then.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                ALTER TABLE runs DROP COLUMN worker;
                DROP TABLE image_features;
                DROP TABLE jobs;
                DROP TABLE saved_views;
                ALTER TABLE users DROP COLUMN password_hash;
                ALTER TABLE images DROP COLUMN rating_version;
                DROP TABLE withheld_samples;
                DROP INDEX samples_by_mark_payload;
                ALTER TABLE samples DROP COLUMN format;
                ALTER TABLE samples DROP COLUMN mark_payload;
                DROP INDEX runs_by_init_checkpoint;
                ALTER TABLE runs DROP COLUMN init_checkpoint_id;
                PRAGMA user_version = 6;
                INSERT INTO snapshots(name, root_hash, manifest_sha256, filter, image_count, created_at) VALUES('v1', 'root', 'm', 'all', 0, '2026-12-01T00:00:00.0000000+00:00');
                INSERT INTO runs(name, snapshot_id, snapshot_root, model, config, software, status, images_seen, created_at, updated_at)
                VALUES('old', 1, 'root', 'dcgan', '{}', 'atelier 0.1', 'finished', 10, '2026-12-01T00:00:00.0000000+00:00', '2026-12-01T00:00:00.0000000+00:00');
                INSERT INTO checkpoints(run_id, images_seen, sha256, file_name, score, deleted, created_at) VALUES(1, 10, 'aa', 'ckpt-000000010.atc', NULL, 0, '2026-12-01T00:00:00.0000000+00:00');
                """;
            cmd.ExecuteNonQuery();
        }

        using var catalog = Catalog.Open(path);
        Assert.Equal(12, catalog.SchemaVersion);
        var old = catalog.GetRun("old")!;
        Assert.Null(old.InitCheckpointId);
        var source = Assert.Single(catalog.ListCheckpoints(old.Id));
        var added = catalog.AddRun("new", catalog.GetSnapshot("v1")!, "dcgan", "{}", "x", source.Id);
        Assert.Equal(source.Id, added.InitCheckpointId);
        Assert.Equal(source.Id, catalog.GetRun("new")!.InitCheckpointId);
        Assert.Equal(["new"], catalog.RunsInitialisedFrom(source.Id).Select(r => r.Name));
        Assert.Empty(catalog.RunsInitialisedFrom(source.Id + 1));
    }

    [Fact]
    public void ATaintReachesRunsInitialisedFromATaintedRunTransitivelyAndRefusesNewOnes()
    {
        using var t = new TempWorkspace();
        var a = t.AddImage(new string('a', 64));
        var b = t.AddImage(new string('b', 64));
        var withA = t.Catalog.AddSnapshot("with-a", "r1", "m1", "all", [a]);
        var onlyB = t.Catalog.AddSnapshot("only-b", "r2", "m2", "all", [b]);
        var first = t.Catalog.AddRun("first", withA, "dcgan", "{}", "x");
        var c1 = t.Catalog.AddCheckpoint(first.Id, 100, new string('1', 64), "c1", null);
        // second and third never saw image a: they start from weights that did.
        var second = t.Catalog.AddRun("second", onlyB, "dcgan", "{}", "x", c1.Id);
        var c2 = t.Catalog.AddCheckpoint(second.Id, 100, new string('2', 64), "c2", null);
        var third = t.Catalog.AddRun("third", onlyB, "dcgan", "{}", "x", c2.Id);
        var c3 = t.Catalog.AddCheckpoint(third.Id, 100, new string('3', 64), "c3", null);
        var clean = t.Catalog.AddRun("clean", onlyB, "dcgan", "{}", "x");
        var c4 = t.Catalog.AddCheckpoint(clean.Id, 100, new string('4', 64), "c4", null);

        var count = t.Catalog.TaintDownstream([a], "consent-revoked", "9", "consent 9 was revoked");

        Assert.Equal((1, 3, 3), (count.Snapshots, count.Runs, count.Checkpoints));
        foreach (var run in new[] { first, second, third }) Assert.Single(t.Catalog.TaintsOf(TaintKind.Run, run.Id));
        foreach (var ck in new[] { c1, c2, c3 }) Assert.Equal("consent 9 was revoked", Assert.Single(t.Catalog.TaintsOf(TaintKind.Checkpoint, ck.Id)).Cause);
        Assert.Empty(t.Catalog.TaintsOf(TaintKind.Run, clean.Id));
        Assert.Empty(t.Catalog.TaintsOf(TaintKind.Checkpoint, c4.Id));
        Assert.Empty(t.Catalog.TaintsOf(TaintKind.Snapshot, onlyB.Id));
        // Idempotent per cause.
        Assert.Equal((0, 0, 0), (t.Catalog.TaintDownstream([a], "consent-revoked", "9", "again") is var again ? (again.Snapshots, again.Runs, again.Checkpoints) : default));

        var refused = Assert.Throws<AtelierException>(() => t.Catalog.AddRun("fourth", onlyB, "dcgan", "{}", "x", c3.Id));
        Assert.Equal("tainted", refused.Code);
        Assert.Contains("consent 9 was revoked", refused.Message);
        Assert.Null(t.Catalog.GetRun("fourth"));
        Assert.NotNull(t.Catalog.AddRun("fifth", onlyB, "dcgan", "{}", "x", c4.Id));
    }
}

public class RunWorkerTests
{
    [Fact]
    public void ARunWhoseTrainingProcessWasKilledReadsAsFailedWithHowToGoOn()
    {
        using var t = new TempWorkspace();
        var snapshot = t.Catalog.AddSnapshot("v1", "root-hash", "manifest", "all", [t.AddImage(new string('b', 64))]);
        var killed = t.Catalog.AddRun("killed", snapshot, "dcgan", "{}", "x");
        var alive = t.Catalog.AddRun("alive", snapshot, "dcgan", "{}", "x");
        t.Catalog.UpdateRun(alive.Id, RunStatus.Running, 500);

        // The process that trained "killed": a real one, killed as a user's Ctrl-\ or the OOM killer would.
        using var trainer = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "60"))!;
        var identity = new WorkerProcess(Environment.MachineName, trainer.Id, new DateTimeOffset(trainer.StartTime.ToUniversalTime()).ToUnixTimeMilliseconds());
        SetWorker(t.Catalog.DatabasePath, killed.Id, identity.ToString());
        Assert.Equal(RunStatus.Running, t.Catalog.GetRun("killed")!.Status);
        trainer.Kill();
        trainer.WaitForExit();

        var settled = t.Catalog.GetRun("killed")!;
        Assert.Equal(RunStatus.Failed, settled.Status);
        Assert.Contains("atelier train --resume killed", settled.Message);
        // Settled for every reader, in the file: another connection sees it without asking the process table.
        using (var other = Catalog.Open(t.Catalog.DatabasePath))
            Assert.Equal((RunStatus.Failed, settled.Message), (other.GetRun(killed.Id)!.Status, other.GetRun(killed.Id)!.Message));
        // The run this process trains stays running; a resume takes the killed one over and names its own process.
        Assert.Equal(RunStatus.Running, t.Catalog.ListRuns().Single(r => r.Name == "alive").Status);
        t.Catalog.UpdateRun(killed.Id, RunStatus.Running, 0);
        Assert.Equal((RunStatus.Running, (string?)null), (t.Catalog.GetRun("killed")!.Status, t.Catalog.GetRun("killed")!.Message));
    }

    [Fact]
    public void ARunFromBeforeWorkersWereRecordedIsLeftAsItWas()
    {
        using var t = new TempWorkspace();
        var snapshot = t.Catalog.AddSnapshot("v1", "root-hash", "manifest", "all", [t.AddImage(new string('b', 64))]);
        var old = t.Catalog.AddRun("old", snapshot, "dcgan", "{}", "x");
        SetWorker(t.Catalog.DatabasePath, old.Id, null);
        // Nothing says which process trained it, so nothing can say that process is gone.
        Assert.Equal(RunStatus.Running, t.Catalog.GetRun("old")!.Status);
    }

    private static void SetWorker(string databasePath, long runId, string? worker)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "UPDATE runs SET worker = $w WHERE id = $i";
        cmd.Parameters.AddWithValue("$w", (object?)worker ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$i", runId);
        Assert.Equal(1, cmd.ExecuteNonQuery());
    }
}
