using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Atelier.Hashing;

/// <summary>One near-duplicate found by <see cref="PdqIndex"/>.</summary>
public readonly record struct PdqMatch(long Id, int Distance);

/// <summary>
/// Hamming-radius search over PDQ hashes by multi-index hashing.
/// The 256 bits are cut into 16 chunks of 16 bits. If two hashes are within 31 bits, at least one
/// chunk differs by at most 1 bit (16 chunks each 2 or more apart would already be 32), so probing,
/// in every chunk table, the query's chunk value and its 16 one-bit neighbours (272 buckets) finds
/// every hash within 31 bits: exact, no false negatives. Each candidate is verified on all 256 bits
/// and reported only from the first chunk that could have found it, so there are no duplicates.
/// Tables are compact bucket arrays built by counting sort: per chunk, a 65,537-entry offset array
/// plus one int (the hash's position) per hash, all chunks in two flat arrays: about 110 MB in all at
/// 1M hashes with the hashes and ids, in 2 MB pages where Linux grants them, since every candidate
/// check is a random read. Hashes added after the last build sit in a small tail that is scanned
/// linearly; the tables are rebuilt when the tail outgrows a fraction of the indexed set, so the
/// rebuild cost stays amortised.
/// Concurrent <see cref="Query"/> calls are safe while no <see cref="Add"/> or <see cref="AddRange"/>
/// runs; writers must be serialised by the caller.
/// </summary>
public sealed class PdqIndex
{
    /// <summary>Largest radius the chunk tables answer exactly; larger radii fall back to a linear scan.</summary>
    public const int MaxIndexedDistance = 31;

    private const int Chunks = 16;
    private const int Buckets = 1 << 16;
    private const int MinTail = 4096;
    private const int TailFraction = 32; // rebuild once the tail passes 1/32 of the indexed hashes

    [ThreadStatic]
    private static int[]? t_candidates;

    private long[] _ids;
    private ulong[] _words; // 4 words per hash, hash p at [4p, 4p+4)
    private int _count;
    private int _indexed;
    // All 16 chunk tables in two flat arrays (CSR): bucket v of chunk c holds the positions
    // _entries[_offsets[c * (Buckets + 1) + v] .. _offsets[c * (Buckets + 1) + v + 1]).
    private int[] _offsets = [];
    private int[] _entries = [];

    /// <summary>An empty index.</summary>
    public PdqIndex(int capacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _ids = new long[capacity];
        _words = LargePages.NewArray<ulong>(capacity * 4);
    }

    /// <summary>An index built in one go from parallel id and hash lists.</summary>
    public PdqIndex(ReadOnlySpan<long> ids, ReadOnlySpan<PdqHash> hashes)
        : this(ids.Length)
    {
        AddRange(ids, hashes);
    }

    /// <summary>Number of hashes held.</summary>
    public int Count => _count;

    /// <summary>Adds one hash under <paramref name="id"/> (ids need not be unique).</summary>
    public void Add(long id, PdqHash hash)
    {
        Grow(_count + 1);
        Put(_count++, id, hash);
        if (_count - _indexed > Math.Max(MinTail, _indexed / TailFraction))
        {
            Rebuild();
        }
    }

    /// <summary>Adds many hashes, then rebuilds the chunk tables once.</summary>
    public void AddRange(ReadOnlySpan<long> ids, ReadOnlySpan<PdqHash> hashes)
    {
        if (ids.Length != hashes.Length)
        {
            throw new ArgumentException($"pdq.index-lengths: {ids.Length} ids but {hashes.Length} hashes.", nameof(hashes));
        }

        Grow(_count + ids.Length);
        for (int i = 0; i < ids.Length; i++)
        {
            Put(_count++, ids[i], hashes[i]);
        }

        if (_count - _indexed > MinTail || _indexed == 0)
        {
            Rebuild();
        }
    }

    /// <summary>Hashes within <paramref name="maxDistance"/> bits of <paramref name="hash"/>, nearest first (ties by id).</summary>
    public IReadOnlyList<PdqMatch> Query(PdqHash hash, int maxDistance = PdqHasher.MatchThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistance);
        if (maxDistance > MaxIndexedDistance)
        {
            return QueryLinear(hash, maxDistance);
        }

        var found = new List<PdqMatch>();
        Span<int> q = stackalloc int[Chunks];
        for (int c = 0; c < Chunks; c++)
        {
            q[c] = Chunk(hash, c);
        }

        int[] candidates = t_candidates ??= new int[8192];
        Span<int> chunkEnd = stackalloc int[Chunks];
        int n = 0;
        if (_indexed > 0)
        {
            n = Gather(q, chunkEnd, ref candidates);
            t_candidates = candidates;
        }

        Verify(candidates, n, chunkEnd, q, hash, maxDistance, found);

        ScanRange(hash, maxDistance, _indexed, _count, found);
        Sort(found);
        return found;
    }

    /// <summary>The same answer as <see cref="Query"/> by comparing against every hash (the baseline).</summary>
    public IReadOnlyList<PdqMatch> QueryLinear(PdqHash hash, int maxDistance = PdqHasher.MatchThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDistance);
        var found = new List<PdqMatch>();
        ScanRange(hash, maxDistance, 0, _count, found);
        Sort(found);
        return found;
    }

    private void ScanRange(PdqHash hash, int maxDistance, int from, int to, List<PdqMatch> found)
    {
        ulong h0 = hash.W0, h1 = hash.W1, h2 = hash.W2, h3 = hash.W3;
        ulong[] words = _words;
        for (int p = from; p < to; p++)
        {
            int w = p * 4;
            int d = BitOperations.PopCount(words[w] ^ h0) + BitOperations.PopCount(words[w + 1] ^ h1)
                + BitOperations.PopCount(words[w + 2] ^ h2) + BitOperations.PopCount(words[w + 3] ^ h3);
            if (d <= maxDistance)
            {
                found.Add(new PdqMatch(_ids[p], d));
            }
        }
    }

    /// <summary>True unless an earlier chunk is also within one bit (that chunk's probe reports it instead).</summary>
    private bool IsFirstFinder(int p, ReadOnlySpan<int> q, int chunk)
    {
        for (int c = 0; c < chunk; c++)
        {
            if (BitOperations.PopCount((uint)(StoredChunk(p, c) ^ q[c])) <= 1)
            {
                return false;
            }
        }

        return true;
    }

    private static void Sort(List<PdqMatch> found) =>
        found.Sort(static (a, b) => a.Distance != b.Distance ? a.Distance.CompareTo(b.Distance) : a.Id.CompareTo(b.Id));

    /// <summary>Rebuilds every chunk table over all hashes held, by counting sort (chunks in parallel).</summary>
    private void Rebuild()
    {
        int n = _count;
        if (_offsets.Length == 0)
        {
            _offsets = LargePages.NewArray<int>(Chunks * (Buckets + 1));
        }

        if (_entries.Length < (long)Chunks * n)
        {
            // Room to grow, so that rebuilds as hashes are added reuse one allocation.
            _entries = LargePages.NewArray<int>((int)Math.Min(Array.MaxLength, Chunks * Math.Max(16L, n + (n / 8L))));
        }

        int[] allOffsets = _offsets, allEntries = _entries;
        Parallel.For(0, Chunks, c =>
        {
            var offsets = allOffsets.AsSpan(c * (Buckets + 1), Buckets + 1);
            offsets.Clear();
            offsets[0] = c * n;
            for (int p = 0; p < n; p++)
            {
                offsets[StoredChunk(p, c) + 1]++;
            }

            for (int v = 0; v < Buckets; v++)
            {
                offsets[v + 1] += offsets[v];
            }

            int[] cursor = offsets[..Buckets].ToArray();
            for (int p = 0; p < n; p++)
            {
                allEntries[cursor[StoredChunk(p, c)]++] = p;
            }
        });
        _indexed = n;
    }

    /// <summary>
    /// Collects the candidates of all 272 probed buckets. The work is done in rounds (prefetch the
    /// bucket offsets, then the bucket contents, then copy) because every step is a cache miss into
    /// a large table, and issuing them together overlaps their latencies.
    /// </summary>
    private unsafe int Gather(ReadOnlySpan<int> q, Span<int> chunkEnd, ref int[] candidates)
    {
        const int Probes = Chunks * 17;
        Span<int> slot = stackalloc int[Probes];
        Span<int> start = stackalloc int[Probes];
        Span<int> end = stackalloc int[Probes];
        bool prefetch = Sse.IsSupported;
        fixed (int* offsets = _offsets)
        fixed (int* entries = _entries)
        {
            for (int c = 0, k = 0; c < Chunks; c++)
            {
                int table = c * (Buckets + 1);
                for (int probe = -1; probe < 16; probe++, k++)
                {
                    slot[k] = table + (probe < 0 ? q[c] : q[c] ^ (1 << probe));
                    if (prefetch)
                    {
                        Sse.Prefetch0(offsets + slot[k]);
                    }
                }
            }

            int total = 0;
            for (int k = 0; k < Probes; k++)
            {
                start[k] = offsets[slot[k]];
                end[k] = offsets[slot[k] + 1];
                total += end[k] - start[k];
                if (prefetch && end[k] > start[k])
                {
                    Sse.Prefetch0(entries + start[k]);
                }
            }

            if (total > candidates.Length)
            {
                candidates = new int[Math.Max(candidates.Length * 2, total)];
            }

            int n = 0;
            fixed (int* cand = candidates)
            {
                for (int c = 0, k = 0; c < Chunks; c++)
                {
                    for (int probe = 0; probe < 17; probe++, k++)
                    {
                        int length = end[k] - start[k];
                        Buffer.MemoryCopy(entries + start[k], cand + n, (long)(candidates.Length - n) * sizeof(int), (long)length * sizeof(int));
                        n += length;
                    }

                    chunkEnd[c] = n;
                }
            }

            return n;
        }
    }

    private unsafe void Verify(int[] candidates, int n, ReadOnlySpan<int> chunkEnd, ReadOnlySpan<int> q, PdqHash hash, int maxDistance, List<PdqMatch> found)
    {
        // Prefetch a fixed distance ahead: enough misses in flight to hide latency, few enough
        // that the hardware keeps them all.
        const int Ahead = 16;
        ulong h0 = hash.W0, h1 = hash.W1, h2 = hash.W2, h3 = hash.W3;
        bool prefetch = Sse.IsSupported;
        fixed (ulong* words = _words)
        fixed (int* cand = candidates)
        {
            if (prefetch)
            {
                for (int e = 0; e < Math.Min(Ahead, n); e++)
                {
                    Sse.Prefetch0(words + (cand[e] * 4L));
                }
            }

            int chunk = 0;
            for (int e = 0; e < n; e++)
            {
                if (prefetch && e + Ahead < n)
                {
                    Sse.Prefetch0(words + (cand[e + Ahead] * 4L));
                }

                while (e >= chunkEnd[chunk])
                {
                    chunk++;
                }

                int p = cand[e];
                ulong* w = words + (p * 4L);
                int d = BitOperations.PopCount(w[0] ^ h0) + BitOperations.PopCount(w[1] ^ h1)
                    + BitOperations.PopCount(w[2] ^ h2) + BitOperations.PopCount(w[3] ^ h3);
                if (d <= maxDistance && IsFirstFinder(p, q, chunk))
                {
                    found.Add(new PdqMatch(_ids[p], d));
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int StoredChunk(int p, int c) => (ushort)(_words[p * 4 + (c >> 2)] >> ((c & 3) * 16));

    private static int Chunk(PdqHash h, int c) => (ushort)(h.Word64(c >> 2) >> ((c & 3) * 16));

    private void Put(int p, long id, PdqHash hash)
    {
        _ids[p] = id;
        int w = p * 4;
        _words[w] = hash.W0;
        _words[w + 1] = hash.W1;
        _words[w + 2] = hash.W2;
        _words[w + 3] = hash.W3;
    }

    private void Grow(int needed)
    {
        if (needed <= _ids.Length)
        {
            return;
        }

        if (needed > int.MaxValue / 4)
        {
            throw new InvalidOperationException($"pdq.index-full: an index holds at most {int.MaxValue / 4} hashes.");
        }

        int capacity = (int)Math.Min(int.MaxValue / 4, Math.Max(needed, Math.Max(1024L, _ids.Length * 2L)));
        Array.Resize(ref _ids, capacity);
        var words = LargePages.NewArray<ulong>(capacity * 4);
        Array.Copy(_words, words, _count * 4L);
        _words = words;
    }
}
