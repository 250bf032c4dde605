using Atelier.Hashing;

namespace Atelier.Hashing.Tests;

public sealed class PdqIndexTests
{
    internal static PdqHash RandomHash(Random r) =>
        new((ulong)r.NextInt64(), (ulong)r.NextInt64() ^ ((ulong)r.Next() << 63), (ulong)r.NextInt64(), (ulong)r.NextInt64() ^ ((ulong)r.Next(2) << 63));

    /// <summary>Flips exactly <paramref name="bits"/> distinct random bits.</summary>
    internal static PdqHash FlipBits(PdqHash h, int bits, Random r)
    {
        Span<ulong> w = [h.W0, h.W1, h.W2, h.W3];
        foreach (int b in Enumerable.Range(0, 256).OrderBy(_ => r.Next()).Take(bits))
        {
            w[b >> 6] ^= 1UL << (b & 63);
        }

        return new PdqHash(w[0], w[1], w[2], w[3]);
    }

    private static void AssertSame(IReadOnlyList<PdqMatch> expected, IReadOnlyList<PdqMatch> actual) =>
        Assert.Equal(expected.ToArray(), actual.ToArray());

    [Fact]
    public void Finds_every_planted_neighbour_within_31_and_none_beyond()
    {
        var r = new Random(42);
        const int n = 50_000;
        var ids = new long[n];
        var hashes = new PdqHash[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = i;
            hashes[i] = RandomHash(r);
        }

        // Plant neighbours of 100 queries at every distance 0..40.
        var queries = new List<PdqHash>();
        for (int q = 0; q < 100; q++)
        {
            PdqHash center = RandomHash(r);
            queries.Add(center);
            for (int d = 0; d <= 40; d++)
            {
                int slot = r.Next(n);
                hashes[slot] = FlipBits(center, d, r);
            }
        }

        var index = new PdqIndex(ids, hashes);
        Assert.Equal(n, index.Count);
        int found = 0;
        foreach (PdqHash q in queries)
        {
            IReadOnlyList<PdqMatch> linear = index.QueryLinear(q);
            IReadOnlyList<PdqMatch> fast = index.Query(q);
            AssertSame(linear, fast);
            Assert.All(fast, m => Assert.InRange(m.Distance, 0, 31));
            Assert.Equal(fast.Count, fast.Select(m => m.Id).Distinct().Count());
            found += fast.Count;

            // Smaller radii agree too, and the planted 32..40 are found only by a wider linear query.
            AssertSame(index.QueryLinear(q, 10), index.Query(q, 10));
            AssertSame(index.QueryLinear(q, 40), index.Query(q, 40));
        }

        Assert.True(found > 90 * 30, $"only {found} planted neighbours found");
    }

    [Fact]
    public void Results_are_sorted_by_distance_then_id()
    {
        var r = new Random(3);
        PdqHash center = RandomHash(r);
        var index = new PdqIndex();
        for (int i = 0; i < 40; i++)
        {
            index.Add(100 - i, FlipBits(center, i % 20, r));
        }

        IReadOnlyList<PdqMatch> result = index.Query(center);
        Assert.Equal(40, result.Count);
        Assert.Equal(result.OrderBy(m => m.Distance).ThenBy(m => m.Id).ToArray(), result.ToArray());
        Assert.Equal(0, result[0].Distance);
    }

    [Fact]
    public void Incremental_adds_past_rebuilds_stay_exact()
    {
        var r = new Random(11);
        var index = new PdqIndex();
        var all = new List<PdqHash>();
        for (int i = 0; i < 20_000; i++)
        {
            PdqHash h = i % 10 == 0 && all.Count > 0 ? FlipBits(all[r.Next(all.Count)], r.Next(0, 36), r) : RandomHash(r);
            all.Add(h);
            index.Add(i, h);
            if (i % 2_500 == 0)
            {
                PdqHash q = all[r.Next(all.Count)];
                AssertSame(index.QueryLinear(q), index.Query(q));
            }
        }

        Assert.Equal(20_000, index.Count);
        foreach (PdqHash q in all.Take(200))
        {
            AssertSame(index.QueryLinear(q), index.Query(q));
        }
    }

    [Fact]
    public void Large_tables_grown_after_a_bulk_build_stay_exact()
    {
        // 100,000 hashes: every table is past 2 MB, so the page-aligned allocation path is the one
        // used, and the adds after the bulk build force a copy of the hashes and a bigger table.
        var r = new Random(29);
        var hashes = Enumerable.Range(0, 100_000).Select(_ => RandomHash(r)).ToArray();
        var queries = hashes.Take(100).ToArray();
        var index = new PdqIndex(Enumerable.Range(0, hashes.Length).Select(i => (long)i).ToArray(), hashes);
        for (int i = 0; i < 10_000; i++)
        {
            index.Add(hashes.Length + i, FlipBits(queries[i % queries.Length], r.Next(0, 40), r));
        }

        Assert.Equal(110_000, index.Count);
        int matched = 0;
        foreach (PdqHash q in queries)
        {
            IReadOnlyList<PdqMatch> expected = index.QueryLinear(q);
            AssertSame(expected, index.Query(q));
            matched += expected.Count;
        }

        Assert.True(matched > 5_000, $"only {matched} planted neighbours were within reach");
    }

    [Fact]
    public void Haystack_and_needles_agree_with_linear_scan()
    {
        PdqHash[] haystack = PdqFixtures.ReadHashList("haystack.txt");
        PdqHash[] needles = PdqFixtures.ReadHashList("needles.txt");
        Assert.Equal(1350, haystack.Length);
        Assert.Equal(100, needles.Length);

        var index = new PdqIndex(Enumerable.Range(0, haystack.Length).Select(i => (long)i).ToArray(), haystack);
        int withMatches = 0;
        foreach (PdqHash needle in needles)
        {
            IReadOnlyList<PdqMatch> fast = index.Query(needle);
            var brute = haystack.Select((h, i) => new PdqMatch(i, h.DistanceTo(needle)))
                .Where(m => m.Distance <= 31).OrderBy(m => m.Distance).ThenBy(m => m.Id).ToArray();
            Assert.Equal(brute, fast.ToArray());
            withMatches += fast.Count > 0 ? 1 : 0;
        }

        Assert.True(withMatches > 0, "the needles are meant to have near duplicates in the haystack");
    }

    [Fact]
    public void Concurrent_queries_give_the_serial_answers()
    {
        var r = new Random(5);
        var hashes = Enumerable.Range(0, 20_000).Select(_ => RandomHash(r)).ToArray();
        var index = new PdqIndex(Enumerable.Range(0, hashes.Length).Select(i => (long)i).ToArray(), hashes);
        PdqHash[] queries = Enumerable.Range(0, 64).Select(i => FlipBits(hashes[i * 7], i % 32, r)).ToArray();
        PdqMatch[][] serial = queries.Select(q => index.Query(q).ToArray()).ToArray();

        var parallel = new PdqMatch[queries.Length * 4][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
            parallel[k] = index.Query(queries[k % queries.Length]).ToArray());

        for (int k = 0; k < parallel.Length; k++)
        {
            Assert.Equal(serial[k % queries.Length], parallel[k]);
            Assert.NotEmpty(parallel[k]);
        }
    }

    [Fact]
    public void Mismatched_lists_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new PdqIndex(new long[2], new PdqHash[3]));
        Assert.StartsWith("pdq.index-lengths", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PdqIndex().Query(PdqHash.Zero, -1));
    }
}
