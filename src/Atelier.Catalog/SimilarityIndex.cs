using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Atelier.Catalog;

/// <summary>
/// The feature vectors of one network held in memory, each scaled to length 1, for exact cosine neighbours ("more like
/// this"). Loaded once and asked many times (the studio keeps one while the stored vectors are unchanged); a query is
/// one pass of dot products over every vector.
/// </summary>
public sealed class SimilarityIndex
{
    private readonly long[] _ids;
    private readonly float[] _rows;
    private readonly Dictionary<long, int> _position;

    public string Network { get; }
    public int Dimension { get; }
    /// <summary>What the catalog held when this was loaded (<see cref="Catalog.FeatureStamp"/>): a different stamp means reload.</summary>
    public (long Count, long LastRow) Stamp { get; }
    public int Count => _ids.Length;

    private SimilarityIndex(string network, int dimension, long[] ids, float[] rows, (long, long) stamp)
    {
        Network = network;
        Dimension = dimension;
        _ids = ids;
        _rows = rows;
        Stamp = stamp;
        _position = new Dictionary<long, int>(ids.Length);
        for (var i = 0; i < ids.Length; i++) _position[ids[i]] = i;
    }

    public static SimilarityIndex Load(Catalog catalog, string network)
    {
        var stamp = catalog.FeatureStamp(network);
        var ids = new long[stamp.Count];
        float[] rows = [];
        int dimension = 0, n = 0;
        foreach (var (id, bytes) in catalog.ReadImageFeatures(network))
        {
            var v = MemoryMarshal.Cast<byte, float>(bytes);
            if (dimension == 0)
            {
                dimension = v.Length;
                rows = new float[(long)ids.Length * dimension];
            }
            // Rows stored since the stamp was read wait for the next load; a vector of another length is not this network's.
            if (v.Length != dimension || dimension == 0 || n == ids.Length) continue;
            var norm = Math.Sqrt(Dot(v, v));
            var row = rows.AsSpan(n * dimension, dimension);
            for (var i = 0; i < dimension; i++) row[i] = norm > 0 ? (float)(v[i] / norm) : 0f;
            ids[n++] = id;
        }
        return new SimilarityIndex(network, dimension, ids[..n], rows[..(n * dimension)], stamp);
    }

    /// <summary>
    /// The <paramref name="k"/> images most like <paramref name="id"/>, most alike first (equals by lower id), none of
    /// <paramref name="leftOut"/>; null when the image has no vector here.
    /// </summary>
    public IReadOnlyList<SimilarImage>? Nearest(long id, int k, IReadOnlySet<long> leftOut)
    {
        if (!_position.TryGetValue(id, out var at)) return null;
        var q = Row(at);
        // The least alike of the best k on top; among equals the higher id goes first, so the answer never depends on load order.
        var comparer = Comparer<SimilarImage>.Create((a, b) => a.Similarity != b.Similarity ? a.Similarity.CompareTo(b.Similarity) : b.Id.CompareTo(a.Id));
        var best = new PriorityQueue<SimilarImage, SimilarImage>(comparer);
        for (var i = 0; i < _ids.Length; i++)
        {
            if (i == at || leftOut.Contains(_ids[i])) continue;
            var candidate = new SimilarImage(_ids[i], Dot(q, Row(i)));
            if (best.Count == k && comparer.Compare(candidate, best.Peek()) <= 0) continue;
            best.Enqueue(candidate, candidate);
            if (best.Count > k) best.Dequeue();
        }
        var list = new List<SimilarImage>(best.Count);
        while (best.Count > 0) list.Add(best.Dequeue());
        list.Reverse();
        return list;
    }

    private ReadOnlySpan<float> Row(int i) => _rows.AsSpan(i * Dimension, Dimension);

    /// <summary>
    /// A dot product in four lanes of 128 bits, the same width on every CPU, so that the sum is added in the same order and
    /// the ranking is the same on every machine (a width chosen by the CPU would change the rounding from one to another).
    /// </summary>
    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = Vector128<float>.Zero;
        var i = 0;
        for (; i + 4 <= a.Length; i += 4) sum += Vector128.Create(a.Slice(i, 4)) * Vector128.Create(b.Slice(i, 4));
        double total = (double)sum[0] + sum[1] + sum[2] + sum[3];
        for (; i < a.Length; i++) total += (double)a[i] * b[i];
        return total;
    }
}
