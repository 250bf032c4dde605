using System.Diagnostics;
using System.Globalization;
using Atelier.Catalog;

/// <summary>
/// "More like this" at N images (issue 13): the time of one exact cosine query (Catalog.SimilarImages, k = 12) over N stored
/// 512-d vectors, as the image page makes it. The vectors are seeded random (what is measured is the scan, not the features).
/// </summary>
internal static class SimilarBench
{
    public static int Run(int count, int repeats, string dir, bool keep)
    {
        const int dimension = 512;
        using (var workspace = Workspace.Init(dir))
        {
            var catalog = workspace.Catalog;
            var random = new Random(1);
            var ids = new List<long>(count);
            using (var tx = catalog.BeginTransaction())
            {
                for (int i = 0; i < count; i++)
                    ids.Add(catalog.AddImage(new ImageRecord { Sha256 = i.ToString("x64", CultureInfo.InvariantCulture), Format = "png", Width = 64, Height = 64, Source = "bench", SizeBytes = 1 },
                        new Provenance($"bench:{i}", $"{i}.png", "bench", "MIT", null, null), []));
                tx.Commit();
            }
            foreach (var chunk in ids.Chunk(5000))
                catalog.SetImageFeatures("bench", [.. chunk.Select(id => (id, Enumerable.Range(0, dimension).Select(_ => (float)random.NextDouble() - 0.5f).ToArray()))]);
            Console.WriteLine($"workspace {dir}: {count:N0} images with {dimension}-d vectors; load average {File.ReadAllText("/proc/loadavg").Trim()}");
            catalog.SimilarImages(ids[0], "bench", 12);   // warm: JIT and the page cache
            var times = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                var found = catalog.SimilarImages(ids[random.Next(count)], "bench", 12)!;
                times.Add(clock.Elapsed.TotalMilliseconds);
                if (found.Count != 12) throw new InvalidOperationException("fewer than 12 neighbours");
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"similar (k 12) over {count:N0}, loaded for each query (the CLI): median {times[times.Count / 2]:F1} ms, min {times[0]:F1}, max {times[^1]:F1} over {repeats} queries; catalog {new FileInfo(catalog.DatabasePath).Length / 1048576.0:F0} MiB"));

            // The studio's way: the index held in memory, the catalog asked only for its stamp and the left-out images.
            var cache = new Atelier.Studio.SimilarImagesCache();
            var load = Stopwatch.StartNew();
            cache.Nearest(catalog, "bench", ids[0], 12);
            var loadMs = load.Elapsed.TotalMilliseconds;
            var held = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                var found = cache.Nearest(catalog, "bench", ids[random.Next(count)], 12)!;
                held.Add(clock.Elapsed.TotalMilliseconds);
                if (found.Count != 12) throw new InvalidOperationException("fewer than 12 neighbours");
            }
            held.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"similar (k 12) over {count:N0}, index held (the studio): median {held[held.Count / 2]:F1} ms, min {held[0]:F1}, max {held[^1]:F1} over {repeats} queries; first load {loadMs:F0} ms; process {Process.GetCurrentProcess().WorkingSet64 / 1048576.0:F0} MiB"));
        }
        if (!keep) Directory.Delete(dir, recursive: true);
        return 0;
    }
}
