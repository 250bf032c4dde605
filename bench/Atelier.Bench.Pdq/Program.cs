// PDQ benchmark: (a) hashing time per decoded 1024x768 RGBA image on one core;
// (b) near-duplicate lookup (distance <= 31) among 1,000,000 hashes: PdqIndex vs linear scan.
// Usage: dotnet run -c Release --project bench/Atelier.Bench.Pdq [-- --hashes N --queries Q --runs R]
using System.Diagnostics;
using System.Globalization;
using Atelier.Hashing;

int hashCount = Arg("--hashes", 1_000_000);
int queryCount = Arg("--queries", 2_000);
int runs = Arg("--runs", 300);

Console.WriteLine($"PDQ benchmark: {Environment.ProcessorCount} logical CPUs, {System.Runtime.InteropServices.RuntimeInformation.OSArchitecture}, .NET {Environment.Version}");
BenchHasher(runs);
BenchIndex(hashCount, queryCount);
return 0;

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static void BenchHasher(int runs)
{
    const int width = 1024, height = 768;
    byte[] rgba = SyntheticPhoto(width, height);
    var luma = new float[width * height];
    PdqHasher.FillLumaFromRgba(rgba, luma);

    // Warm up the JIT (tiered compilation) and the thread's scratch buffers.
    for (int i = 0; i < 50; i++)
    {
        PdqHasher.HashRgba(rgba, width, height);
    }

    double[] rgbaMs = Time(runs, () => PdqHasher.HashRgba(rgba, width, height));
    double[] lumaMs = Time(runs, () => PdqHasher.Hash(luma, height, width));
    double[] dihMs = Time(runs, () => PdqHasher.HashRgbaDihedral(rgba, width, height));
    PdqResult r = PdqHasher.HashRgba(rgba, width, height);
    Console.WriteLine($"(a) hash {width}x{height} RGBA8, one thread, {runs} runs (quality {r.Quality}):");
    Console.WriteLine($"    HashRgba          median {Median(rgbaMs):F3} ms  p90 {Percentile(rgbaMs, 0.90):F3} ms");
    Console.WriteLine($"    Hash (float luma) median {Median(lumaMs):F3} ms  p90 {Percentile(lumaMs, 0.90):F3} ms");
    Console.WriteLine($"    HashRgbaDihedral  median {Median(dihMs):F3} ms  p90 {Percentile(dihMs, 0.90):F3} ms");
}

static void BenchIndex(int hashCount, int queryCount)
{
    var random = new Random(20260101);
    var ids = new long[hashCount];
    var hashes = new PdqHash[hashCount];
    for (int i = 0; i < hashCount; i++)
    {
        ids[i] = i;
        hashes[i] = RandomHash(random);
    }

    // Each query gets near neighbours planted at distances 0..40 (so 32 of them are true matches).
    var queries = new PdqHash[queryCount];
    for (int q = 0; q < queryCount; q++)
    {
        queries[q] = RandomHash(random);
        for (int d = 0; d <= 40; d++)
        {
            hashes[random.Next(hashCount)] = FlipBits(queries[q], d, random);
        }
    }

    var build = Stopwatch.StartNew();
    var index = new PdqIndex(ids, hashes);
    build.Stop();
    Console.WriteLine($"(b) index of {index.Count:N0} hashes built in {build.Elapsed.TotalSeconds:F2} s (bulk constructor)");
    if (File.Exists("/proc/self/smaps_rollup")) Console.WriteLine("    " + string.Join(", ", File.ReadLines("/proc/self/smaps_rollup").Where(l => l.StartsWith("AnonHugePages", StringComparison.Ordinal) || l.StartsWith("Rss", StringComparison.Ordinal))));

    for (int q = 0; q < Math.Min(50, queryCount); q++)
    {
        index.Query(queries[q]);
    }

    var indexedMs = new double[queryCount];
    long matches = 0;
    for (int q = 0; q < queryCount; q++)
    {
        long t0 = Stopwatch.GetTimestamp();
        matches += index.Query(queries[q]).Count;
        indexedMs[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }

    // The linear scan is slow; time it on a subset, interleaved with the index on the same query so
    // that load from other processes hits both alike, and check both give the same answers.
    int linearCount = Math.Min(queryCount, 300);
    var linearMs = new double[linearCount];
    var pairedIndexMs = new double[linearCount];
    for (int q = 0; q < linearCount; q++)
    {
        long t0 = Stopwatch.GetTimestamp();
        IReadOnlyList<PdqMatch> fast = index.Query(queries[q]);
        pairedIndexMs[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        t0 = Stopwatch.GetTimestamp();
        IReadOnlyList<PdqMatch> slow = index.QueryLinear(queries[q]);
        linearMs[q] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        if (!slow.SequenceEqual(fast))
        {
            throw new InvalidOperationException($"index and linear scan disagree on query {q}");
        }
    }

    double[] ratios = linearMs.Select((l, i) => l / pairedIndexMs[i]).ToArray();
    Console.WriteLine($"    {queryCount} queries, radius 31, {matches / (double)queryCount:F1} matches each on average (both methods agree on {linearCount})");
    Console.WriteLine($"    PdqIndex.Query   p50 {Median(indexedMs) * 1000:F1} us  p99 {Percentile(indexedMs, 0.99) * 1000:F1} us");
    Console.WriteLine($"    linear scan      p50 {Median(linearMs) * 1000:F1} us  p99 {Percentile(linearMs, 0.99) * 1000:F1} us");
    Console.WriteLine($"    paired with linear ({linearCount} queries): index p50 {Median(pairedIndexMs) * 1000:F1} us, linear p50 {Median(linearMs) * 1000:F1} us");
    Console.WriteLine($"    speed-up: p50 linear / p50 index (paired) {Median(linearMs) / Median(pairedIndexMs):F1}x, median per-query ratio {Median(ratios):F1}x");
}

static double[] Time(int runs, Action action)
{
    var ms = new double[runs];
    for (int i = 0; i < runs; i++)
    {
        long t0 = Stopwatch.GetTimestamp();
        action();
        ms[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }

    return ms;
}

static double Median(double[] xs) => Percentile(xs, 0.5);

static double Percentile(double[] xs, double p)
{
    double[] sorted = (double[])xs.Clone();
    Array.Sort(sorted);
    return sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(p * sorted.Length))];
}

// A benign synthetic "photo": smooth gradients, a few discs and mild noise (PDQ's cost does not depend on content).
static byte[] SyntheticPhoto(int width, int height)
{
    var random = new Random(5);
    var rgba = new byte[width * height * 4];
    for (int y = 0; y < height; y++)
    {
        for (int x = 0; x < width; x++)
        {
            int o = (y * width + x) * 4;
            bool disc = ((x - 300) * (x - 300)) + ((y - 400) * (y - 400)) < 150 * 150
                || ((x - 800) * (x - 800)) + ((y - 200) * (y - 200)) < 90 * 90;
            int n = random.Next(-8, 9);
            rgba[o] = (byte)Math.Clamp((disc ? 220 : x * 255 / width) + n, 0, 255);
            rgba[o + 1] = (byte)Math.Clamp((disc ? 60 : y * 255 / height) + n, 0, 255);
            rgba[o + 2] = (byte)Math.Clamp(((x + y) * 255 / (width + height)) + n, 0, 255);
            rgba[o + 3] = 255;
        }
    }

    return rgba;
}

static PdqHash RandomHash(Random r) =>
    new((ulong)r.NextInt64() ^ ((ulong)r.Next(2) << 63), (ulong)r.NextInt64() ^ ((ulong)r.Next(2) << 63),
        (ulong)r.NextInt64() ^ ((ulong)r.Next(2) << 63), (ulong)r.NextInt64() ^ ((ulong)r.Next(2) << 63));

static PdqHash FlipBits(PdqHash h, int bits, Random r)
{
    Span<ulong> w = [h.W0, h.W1, h.W2, h.W3];
    var chosen = new HashSet<int>();
    while (chosen.Count < bits)
    {
        chosen.Add(r.Next(256));
    }

    foreach (int b in chosen)
    {
        w[b >> 6] ^= 1UL << (b & 63);
    }

    return new PdqHash(w[0], w[1], w[2], w[3]);
}
