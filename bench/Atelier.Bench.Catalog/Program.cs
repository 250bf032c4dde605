// Catalog scale: N synthetic image records (each with 3 tags of a 2,000-tag vocabulary, a rating, a
// source and quality values), then the timings of a filtered listing by tag and rating and of the
// whole report. Usage: dotnet run -c Release --project bench/Atelier.Bench.Catalog -- [N] [runs]
using System.Diagnostics;
using Atelier.Catalog;

var n = args.Length > 0 ? int.Parse(args[0]) : 1_000_000;
var runs = args.Length > 1 ? int.Parse(args[1]) : 5;
var dir = Path.Combine(Path.GetTempPath(), "atelier-bench-catalog-" + Guid.NewGuid().ToString("N"));
try
{
    using var ws = Workspace.Init(dir);
    var rng = new Random(1);
    string[] ratings = ["general", "general", "general", "sensitive", "questionable", "explicit"];
    var sw = Stopwatch.StartNew();
    for (var start = 0; start < n; start += 10_000)
    {
        using var tx = ws.Catalog.BeginTransaction();
        for (var i = start; i < Math.Min(n, start + 10_000); i++)
        {
            var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)));
            var pdq = new byte[32];
            rng.NextBytes(pdq);
            var record = new ImageRecord
            {
                Sha256 = sha, Format = i % 3 == 0 ? "jpeg" : "png", Width = 256 << rng.Next(4), Height = 256 << rng.Next(4), SizeBytes = rng.Next(10_000, 5_000_000),
                Pdq = pdq, PdqQuality = rng.Next(40, 101), BlurVariance = Math.Exp(rng.NextDouble() * 9), MeanLuma = rng.NextDouble() * 255,
                DarkFraction = rng.NextDouble() * 0.2, BrightFraction = rng.NextDouble() * 0.2, Entropy = rng.NextDouble() * 8,
                Rating = i % 7 == 0 ? null : ratings[rng.Next(ratings.Length)], Source = "source-" + (i % 20),
            };
            ws.Catalog.AddImage(record, new Provenance("bench:" + i, $"{i}.png", record.Source, "CC-BY-4.0", null, null),
                [new Tag("tag" + rng.Next(2000)), new Tag("tag" + rng.Next(2000)), new Tag("style" + rng.Next(50), "style")]);
        }
        tx.Commit();
    }
    Console.WriteLine($"inserted {n:N0} records in {sw.Elapsed.TotalSeconds:0.0} s");
    ws.Catalog.Dispose();
    using var reopened = Workspace.Open(dir);
    var catalog = reopened.Catalog;

    double Median(Func<object> f)
    {
        var times = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            var t = Stopwatch.StartNew();
            f();
            times.Add(t.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    var filter = Selector.Parse("tag:tag42 rating:general");
    var listing = Median(() => catalog.ListImages(filter, 100));
    var count = Median(() => catalog.Count(filter));
    var all = Median(() => catalog.SelectIds(filter));
    var report = Median(() => catalog.Report());
    var dbBytes = new DirectoryInfo(Path.Combine(dir, ".atelier")).EnumerateFiles("catalog.db*").Sum(f => f.Length);
    Console.WriteLine($"records={n} matches={catalog.Count(filter)} runs={runs}");
    Console.WriteLine($"list 'tag:tag42 rating:general' first 100: median {listing:0.0} ms");
    Console.WriteLine($"count of the same filter:               median {count:0.0} ms");
    Console.WriteLine($"all matching ids:                       median {all:0.0} ms");
    Console.WriteLine($"atelier report (whole catalog):          median {report:0} ms");
    Console.WriteLine($"database size: {dbBytes / 1024.0 / 1024.0:0.0} MiB");
}
finally
{
    try { Directory.Delete(dir, true); } catch (IOException) { }
}
