using Atelier.TestSupport;

namespace Atelier.Catalog.Tests;

/// <summary>
/// Several connections to one catalog file at once, each on its own thread, as several processes
/// would have them (pooling is off, so each has its own SQLite connection and locks).
/// </summary>
public class ConcurrencyTests
{
    private const int Writers = 8;

    /// <summary>
    /// Runs <paramref name="body"/> on <see cref="Writers"/> threads released together, each after its
    /// <paramref name="prepare"/> (opening a catalog is slow enough to serialize them otherwise); returns each one's outcome.
    /// </summary>
    private static List<Exception?> AllAtOnce<T>(Func<T> prepare, Action<int, T> body) where T : IDisposable
    {
        using var start = new Barrier(Writers);
        var outcomes = new Exception?[Writers];
        var threads = Enumerable.Range(0, Writers).Select(i => new Thread(() =>
        {
            using var prepared = prepare();
            start.SignalAndWait();
            try { body(i, prepared); }
            catch (Exception e) { outcomes[i] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return [.. outcomes];
    }

    [Fact]
    public void CommandsOpeningANewCatalogAtOnceCreateItsSchemaOnce()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "catalog.db");
        // An empty catalog already in WAL mode (as one made by an older version, or being made right now), so
        // nothing but the schema itself stands between the commands opening it.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var wal = db.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL";
            wal.ExecuteNonQuery();
        }
        var versions = new int[Writers];
        var outcomes = AllAtOnce(() => new TempDir(), (i, _) =>
        {
            using var catalog = Catalog.Open(path);
            versions[i] = catalog.SchemaVersion;
        });
        Assert.All(outcomes, e => Assert.Null(e));
        int expected;
        using (var alone = Catalog.Open(Path.Combine(dir.Path, "alone.db"))) expected = alone.SchemaVersion;
        Assert.All(versions, v => Assert.Equal(expected, v));
        using var reopened = Catalog.Open(path);
        Assert.Equal("ok", reopened.IntegrityCheck());
    }

    [Fact]
    public void OfRunsStartedWithOneNameAtOnceExactlyOneGetsTheName()
    {
        using var t = new TempWorkspace();
        var snapshot = t.Catalog.AddSnapshot("v1", "root-hash", "manifest", "all", [t.AddImage(new string('a', 64))]);
        var outcomes = AllAtOnce(() => Catalog.Open(t.Catalog.DatabasePath),
            (i, catalog) => catalog.AddRun("same", snapshot, "dcgan", $$"""{"writer":{{i}}}""", "test"));
        Assert.Single(outcomes, e => e is null);
        Assert.All(outcomes.OfType<Exception>(), e => Assert.Equal("run-exists", Assert.IsType<AtelierException>(e).Code));
        Assert.Single(t.Catalog.ListRuns());
    }

    [Fact]
    public void CurationRewritesOnlyTheImagesItJudgedAndKeepsWhatAConcurrentIngestAdded()
    {
        using var t = new TempWorkspace();
        var ids = Enumerable.Range(1, 4).Select(i => t.AddImage(new string((char)('a' + i), 64))).ToList();
        t.Catalog.ReplaceNearDuplicates([(ids[0], ids[1], 3)]);
        t.Catalog.ReplaceFlags(["blurry"], [(ids[0], "blurry", "old")]);
        // An ingest, meanwhile, adds image 4 with a flag and a pair to image 1; curation had judged images 1-3.
        t.Catalog.SetFlag(ids[3], "blurry", "from ingest");
        t.Catalog.AddNearDuplicates([(ids[3], ids[0], 5)]);
        t.Catalog.ReplaceNearDuplicates([(ids[1], ids[2], 7)], throughImageId: ids[2]);
        t.Catalog.ReplaceFlags(["blurry"], [(ids[2], "blurry", "new")], throughImageId: ids[2]);

        // The judged pair 1-2 is replaced by 2-3; the ingest's pair 4-1 stays.
        var clusters = t.Catalog.NearDuplicateClusters().Select(c => string.Join(",", c.ImageIds.Order())).Order().ToList();
        Assert.Equal([$"{ids[0]},{ids[3]}", $"{ids[1]},{ids[2]}"], clusters);
        Assert.Equal(2, t.Catalog.Report().ByFlag["blurry"]);
        Assert.Equal(1, t.Catalog.Count(Selector.Parse($"flag:blurry {ids[3]}")));
        Assert.Equal(0, t.Catalog.Count(Selector.Parse($"flag:blurry {ids[0]}")));
    }

    [Fact]
    public void OfProcessesCreatingOneFileAtOnceExactlyOneDoesAndNothingIsReplaced()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "keyring.json");
        var outcomes = AllAtOnce(() => new TempDir(), (i, _) => AtomicFile.WriteAllBytes(path, [(byte)i], replace: false));
        var winner = Assert.Single(Enumerable.Range(0, Writers), i => outcomes[i] is null);
        Assert.All(outcomes.OfType<Exception>(), e => Assert.IsAssignableFrom<IOException>(e));
        Assert.Equal([(byte)winner], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AFileLockIsHeldByOneHandleAndTakenByTheNextOnceReleased()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "sub", "x.lock");
        var first = FileLock.TryTake(path);
        Assert.NotNull(first);
        Assert.Null(FileLock.TryTake(path));

        var released = false;
        var tookItWhileHeld = false;
        var waiter = new Thread(() =>
        {
            using (FileLock.Take(path, TestContext.Current.CancellationToken)) tookItWhileHeld = !Volatile.Read(ref released);
        });
        waiter.Start();
        Thread.Sleep(200); // give the waiter time to try (and be refused) while the first handle is open
        Volatile.Write(ref released, true);
        first.Dispose();
        waiter.Join();
        Assert.False(tookItWhileHeld);
        using var again = FileLock.TryTake(path);
        Assert.NotNull(again);
    }

    [Fact]
    public void WaitingForAFileLockStopsWhenCancelled()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "x.lock");
        using var held = FileLock.TryTake(path);
        using var cancel = new CancellationTokenSource();
        cancel.CancelAfter(100);
        Assert.ThrowsAny<OperationCanceledException>(() => FileLock.Take(path, cancel.Token));
    }
}
