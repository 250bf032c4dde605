using Atelier.Catalog;
using Atelier.TestSupport;

namespace Atelier.Catalog.Tests;

public class WorkspaceTests
{
    [Fact]
    public void InitCreatesCatalogBlobStoreAndConfig_AndOpenFindsThem()
    {
        using var t = new TempWorkspace();
        Assert.True(File.Exists(Path.Combine(t.Directory, ".atelier", "config.json")));
        Assert.True(File.Exists(Path.Combine(t.Directory, ".atelier", "catalog.db")));
        Assert.True(System.IO.Directory.Exists(Path.Combine(t.Directory, ".atelier", "blobs")));
        Assert.Equal(12, t.Catalog.SchemaVersion);
        using var again = Workspace.Open(t.Directory);
        Assert.Equal(100_000_000, again.Config.Ingest.MaxPixels);
    }

    [Fact]
    public void HashesStoredBeforeSchemaFiveAreMarkedOldAndNewOnesCurrent()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "catalog.db");
        Catalog.Open(path).Dispose();
        // Back to schema 4 as a catalog of the previous release has it, with one image hashed then.
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
                DROP TABLE energy;
                DROP INDEX images_by_pdq_pipeline;
                ALTER TABLE images DROP COLUMN pdq_pipeline;
                ALTER TABLE images DROP COLUMN pdq_displayed;
                PRAGMA user_version = 4;
                INSERT INTO images(sha256, size_bytes, format, width, height, pdq, pdq_quality, source, added_at)
                VALUES('aa', 1, 'jpeg', 8, 8, zeroblob(32), 100, 's', '2026-12-01T00:00:00.0000000+00:00');
                """;
            cmd.ExecuteNonQuery();
        }

        using var catalog = Catalog.Open(path);

        Assert.Equal(12, catalog.SchemaVersion);
        var old = Assert.Single(catalog.ListImages(Selector.All));
        Assert.Equal(PdqPipelines.Old, old.PdqPipeline);
        Assert.Null(old.PdqDisplayed);
        Assert.Equal([(old.Id, "aa")], catalog.ImagesWithOldPdq(0, 10));
        var id = catalog.AddImage(new ImageRecord { Sha256 = "bb", Format = "jpeg", Source = "s", Pdq = new byte[32], PdqQuality = 100, PdqDisplayed = new byte[32] },
            new Provenance("o", null, "s", null, null, null), []);
        Assert.Equal(PdqPipelines.Current, catalog.GetImage(id)!.PdqPipeline);
        Assert.Equal([(old.Id, "aa")], catalog.ImagesWithOldPdq(0, 10));
        // Stored once: a second writer of the same image changes nothing.
        Assert.True(catalog.SetCurrentPdq(old.Id, new byte[32], 90, null));
        Assert.False(catalog.SetCurrentPdq(old.Id, new byte[32], 80, null));
        Assert.Equal(90, catalog.GetImage(old.Id)!.PdqQuality);
        Assert.Empty(catalog.ImagesWithOldPdq(0, 10));
    }

    [Fact]
    public void InitRefusesAnExistingWorkspace()
    {
        using var t = new TempWorkspace();
        var e = Assert.Throws<AtelierException>(() => Workspace.Init(t.Directory));
        Assert.Equal("workspace-exists", e.Code);
    }

    [Fact]
    public void AnInitThatFailsPartWayLeavesNoWorkspaceAndTheNextOneSucceeds()
    {
        using var dir = new TempDir();
        var ws = Path.Combine(dir.Path, "ws");
        var seen = "";
        var e = Assert.Throws<InvalidOperationException>(() => Workspace.Init(ws, setUp: building =>
        {
            // Set up where nobody else looks yet: the catalog and config are made, the workspace is not in place.
            seen = building.DataDirectory;
            Assert.True(File.Exists(building.ConfigPath));
            Assert.False(System.IO.Directory.Exists(Path.Combine(ws, Workspace.DirectoryName)));
            throw new InvalidOperationException("setup failed");
        }));
        Assert.Equal("setup failed", e.Message);
        Assert.NotEqual(Path.Combine(ws, Workspace.DirectoryName), seen);
        Assert.Empty(System.IO.Directory.EnumerateFileSystemEntries(ws));
        Assert.Equal("no-workspace", Assert.Throws<AtelierException>(() => Workspace.Open(ws)).Code);
        using var made = Workspace.Init(ws);
        Assert.Equal(Path.Combine(ws, Workspace.DirectoryName), made.DataDirectory);
        Assert.Equal("ok", made.Catalog.IntegrityCheck());
    }

    [Fact]
    public void InitRefusesAnAtelierFolderThatHoldsSomethingElseButReplacesAnEmptyOne()
    {
        using var dir = new TempDir();
        var data = System.IO.Directory.CreateDirectory(Path.Combine(dir.Path, "a", Workspace.DirectoryName)).FullName;
        File.WriteAllText(Path.Combine(data, "notes.txt"), "mine");
        var e = Assert.Throws<AtelierException>(() => Workspace.Init(Path.Combine(dir.Path, "a")));
        Assert.Equal("not-a-workspace", e.Code);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(data, "notes.txt")));
        System.IO.Directory.CreateDirectory(Path.Combine(dir.Path, "b", Workspace.DirectoryName));
        using var made = Workspace.Init(Path.Combine(dir.Path, "b"));
        Assert.True(File.Exists(made.ConfigPath));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // skipped there (below); says so to the platform analyzer
    public void AtomicFileCreatesWithTheGivenModeFromTheFirstByte()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var dir = new TempDir();
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var modes = new List<UnixFileMode>();
        AtomicFile.TempWritten.Value = temp => modes.Add(File.GetUnixFileMode(temp));
        try
        {
            AtomicFile.WriteAllBytes(Path.Combine(dir.Path, "secret"), "s"u8, mode: ownerOnly);
            AtomicFile.WriteAllBytes(Path.Combine(dir.Path, "new"), "n"u8, replace: false, mode: ownerOnly);
        }
        finally
        {
            AtomicFile.TempWritten.Value = null;
        }
        Assert.Equal([ownerOnly, ownerOnly], modes);
        Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(dir.Path, "secret")));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(Path.Combine(dir.Path, "new")));
    }

    [Fact]
    public void OpenWithoutWorkspaceSaysHowToMakeOne()
    {
        var dir = Path.Combine(Path.GetTempPath(), "atelier-none-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<AtelierException>(() => Workspace.Open(dir));
        Assert.Equal("no-workspace", e.Code);
        Assert.Contains("atelier init", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void CorruptConfigIsAOneLineError()
    {
        using var t = new TempWorkspace();
        File.WriteAllText(t.Workspace.ConfigPath, "{ not json");
        var e = Assert.Throws<AtelierException>(() => Workspace.Open(t.Directory));
        Assert.Equal("bad-config", e.Code);
    }

    [Fact]
    public void LocatePrefersOptionThenEnvironmentThenCurrentFolder()
    {
        Assert.Equal(Path.GetFullPath("/a"), Workspace.Locate("/a", "/b", "/c"));
        Assert.Equal(Path.GetFullPath("/b"), Workspace.Locate(null, "/b", "/c"));
        Assert.Equal(Path.GetFullPath("/c"), Workspace.Locate(null, "", "/c"));
    }

    [Fact]
    public void BlobStoreIsContentAddressedWithFanOut()
    {
        using var t = new TempWorkspace();
        var bytes = "hello"u8.ToArray();
        var sha = t.Workspace.Blobs.Put(bytes);
        Assert.Equal("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", sha);
        var path = t.Workspace.Blobs.PathOf(sha);
        Assert.EndsWith(Path.Combine("blobs", "2c", sha), path);
        Assert.Equal(bytes, t.Workspace.Blobs.Read(sha));
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(t.Directory, ".atelier", "tmp"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void StaleTemporaryBlobsFromAKilledProcessAreRemovedOnOpenButFreshOnesStay()
    {
        using var t = new TempWorkspace();
        var stale = Path.Combine(t.Directory, ".atelier", "tmp", ".abc.123.tmp");
        File.WriteAllText(stale, "half a blob");
        // Blobs are written through one temporary folder per worker thread.
        var staleOfAWorker = Path.Combine(System.IO.Directory.CreateDirectory(Path.Combine(t.Directory, ".atelier", "tmp", "w3")).FullName, ".def.456.tmp");
        File.WriteAllText(staleOfAWorker, "half of another");
        foreach (var file in new[] { stale, staleOfAWorker }) File.SetLastWriteTimeUtc(file, DateTime.UtcNow - BlobStore.StaleAfter - TimeSpan.FromMinutes(1));
        // A fresh one may belong to an ingest running in another process, about to rename it into place.
        var inFlight = Path.Combine(t.Directory, ".atelier", "tmp", "w3", ".ghi.789.tmp");
        File.WriteAllText(inFlight, "being written");
        using var again = Workspace.Open(t.Directory);
        Assert.False(File.Exists(stale));
        Assert.False(File.Exists(staleOfAWorker));
        Assert.True(File.Exists(inFlight));
    }

    [Fact]
    public void DeferredBlobsAreWholeAndAShortLeftoverIsRewritten()
    {
        using var t = new TempWorkspace();
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var sha = t.Workspace.Blobs.PutDeferred(bytes);
        t.Workspace.Blobs.Flush();
        Assert.Equal(bytes, t.Workspace.Blobs.Read(sha));

        // What a power cut before a flush can leave: the name in place, the bytes not.
        File.WriteAllBytes(t.Workspace.Blobs.PathOf(sha), []);
        t.Workspace.Blobs.Put(sha, bytes);
        Assert.Equal(bytes, t.Workspace.Blobs.Read(sha));
    }

    [Fact]
    public void ConcurrentPutsOfTheSameBlobsLeaveEachWholeOnce()
    {
        using var t = new TempWorkspace();
        var blobs = Enumerable.Range(0, 40).Select(n => Enumerable.Range(0, 1000 + (n * 3000)).Select(i => (byte)(i ^ n)).ToArray()).ToArray();
        // Four writers race on every blob, as ingest workers do when two files share a thumbnail.
        Parallel.For(0, blobs.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => t.Workspace.Blobs.PutDeferred(blobs[k / 4]));
        t.Workspace.Blobs.Flush();
        foreach (var bytes in blobs) Assert.Equal(bytes, t.Workspace.Blobs.Read(BlobStore.Sha256Hex(bytes)));
        var stored = System.IO.Directory.GetFiles(Path.Combine(t.Directory, ".atelier", "blobs"), "*", SearchOption.AllDirectories);
        Assert.Equal(blobs.Length, stored.Length);
        Assert.Empty(System.IO.Directory.GetFiles(Path.Combine(t.Directory, ".atelier", "tmp"), "*", SearchOption.AllDirectories));
    }
}
