using Atelier.TestSupport;

namespace Atelier.Catalog.Tests;

/// <summary>The studio's pattern: every request opens the workspace from the process's connection pool, many at once.</summary>
public class PooledCatalogTests
{
    [Fact]
    public void ManyThreadsOpeningPooledCatalogsToWriteLoseNothing()
    {
        using var t = new TempWorkspace();
        var images = Enumerable.Range(0, 20).Select(i => t.AddImage(i.ToString("x64"))).ToList();
        const int Threads = 8, WritesEach = 100;
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, Threads).Select(n => new Thread(() =>
        {
            try
            {
                for (var i = 0; i < WritesEach; i++)
                {
                    using var ws = Workspace.Open(t.Directory, pooled: true);
                    using var tx = ws.Catalog.BeginTransaction();
                    ws.Catalog.AddTags([images[(n + i) % images.Count]], [Tags.Parse($"t{n}-{i}")]);
                    tx.Commit();
                }
            }
            catch (Exception e) { failures.Add(e); }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());

        Assert.Empty(failures);
        var links = images.Sum(id => t.Catalog.TagsOf(id).Count);
        Assert.Equal(Threads * WritesEach, links);
    }

    [Fact]
    public void APooledCatalogDisposedMidTransactionKeepsNothingOfItAndHoldsNoLock()
    {
        using var t = new TempWorkspace();
        var image = t.AddImage(new string('a', 64));
        using (var ws = Workspace.Open(t.Directory, pooled: true))
        {
            ws.Catalog.BeginTransaction();
            ws.Catalog.AddTags([image], [Tags.Parse("never")]);
            // A request that failed half-way: disposed without a commit.
        }

        // The next request (likely on the same pooled connection) sees none of it and can write at once,
        // in this process and in another connection alike.
        using (var ws = Workspace.Open(t.Directory, pooled: true))
        {
            Assert.Empty(ws.Catalog.TagsOf(image));
            using var tx = ws.Catalog.BeginTransaction();
            ws.Catalog.AddTags([image], [Tags.Parse("kept")]);
            tx.Commit();
        }
        Assert.Equal(["kept"], t.Catalog.TagsOf(image).Select(tag => tag.Name));
    }
}
