using System.Runtime.InteropServices;

namespace Atelier.Catalog;

/// <summary>An image like another, by the cosine similarity of their feature vectors (1: the same direction).</summary>
public sealed record SimilarImage(long Id, double Similarity);

public sealed partial class Catalog
{
    /// <summary>Stores (or replaces) feature vectors of images under one feature network, in one transaction.</summary>
    public void SetImageFeatures(string network, IReadOnlyList<(long Id, float[] Vector)> features) =>
        InWriteTransaction(() =>
        {
            foreach (var (id, vector) in features)
                Exec("INSERT INTO image_features(image_id, network, vector) VALUES($i, $n, $v) ON CONFLICT(image_id, network) DO UPDATE SET vector = excluded.vector",
                    ("$i", id), ("$n", network), ("$v", MemoryMarshal.AsBytes(vector.AsSpan()).ToArray()));
            return features.Count;
        });

    /// <summary>Of <paramref name="ids"/>, those with no vector under <paramref name="network"/>.</summary>
    public IReadOnlyList<long> WithoutFeatures(string network, IReadOnlyList<long> ids)
    {
        var have = new HashSet<long>();
        using (var cmd = Cmd("SELECT image_id FROM image_features WHERE network = $n", ("$n", network)))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) have.Add(r.GetInt64(0));
        return [.. ids.Where(i => !have.Contains(i))];
    }

    public float[]? ImageFeatures(long id, string network) =>
        Scalar("SELECT vector FROM image_features WHERE image_id = $i AND network = $n", ("$i", id), ("$n", network)) is byte[] bytes ? Floats(bytes) : null;

    /// <summary>The feature networks images have vectors under, each with how many images.</summary>
    public IReadOnlyDictionary<string, long> FeatureNetworks()
    {
        using var cmd = Cmd("SELECT network, COUNT(*) FROM image_features GROUP BY network ORDER BY network");
        using var r = cmd.ExecuteReader();
        var result = new Dictionary<string, long>();
        while (r.Read()) result[r.GetString(0)] = r.GetInt64(1);
        return result;
    }

    /// <summary>
    /// The <paramref name="k"/> images most like image <paramref name="id"/> under <paramref name="network"/>, most alike first;
    /// excluded and quarantined images are never among them. Null when the image has no vector yet. An exact scan: every
    /// vector is compared (at 100,000 images of 512 floats, about 50 million multiply-adds).
    /// </summary>
    public IReadOnlyList<SimilarImage>? SimilarImages(long id, string network, int k)
    {
        if (ImageFeatures(id, network) is not { } query) return null;
        var q = Normalised(query);
        // The least alike of the best k on top; among equals the higher id goes first, so the answer never depends on read order.
        var best = new PriorityQueue<SimilarImage, SimilarImage>(Comparer<SimilarImage>.Create((a, b) =>
            a.Similarity != b.Similarity ? a.Similarity.CompareTo(b.Similarity) : b.Id.CompareTo(a.Id)));
        // Read apart from the scan (a join per vector costs more than the arithmetic): few images are ever left out.
        var leftOut = new HashSet<long> { id };
        using (var excluded = Cmd("SELECT id FROM images WHERE excluded = 1 OR quarantined = 1"))
        using (var e = excluded.ExecuteReader())
            while (e.Read()) leftOut.Add(e.GetInt64(0));
        using var cmd = Cmd("SELECT image_id, vector FROM image_features WHERE network = $n", ("$n", network));
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            if (leftOut.Contains(r.GetInt64(0))) continue;
            var bytes = (byte[])r.GetValue(1);
            if (bytes.Length != q.Length * sizeof(float)) continue;
            var candidate = new SimilarImage(r.GetInt64(0), Cosine(q, MemoryMarshal.Cast<byte, float>(bytes)));
            if (best.Count == k && best.Comparer.Compare(candidate, best.Peek()) <= 0) continue;
            best.Enqueue(candidate, candidate);
            if (best.Count > k) best.Dequeue();
        }
        var list = new List<SimilarImage>(best.Count);
        while (best.Count > 0) list.Add(best.Dequeue());
        list.Reverse();
        return list;
    }

    private static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    private static float[] Normalised(float[] v)
    {
        var norm = Math.Sqrt(Dot(v, v));
        return norm > 0 ? [.. v.Select(x => (float)(x / norm))] : v;
    }

    /// <summary>Cosine similarity with an already normalised <paramref name="q"/>; 0 for a zero vector.</summary>
    private static double Cosine(ReadOnlySpan<float> q, ReadOnlySpan<float> v)
    {
        var norm = Math.Sqrt(Dot(v, v));
        return norm > 0 ? Dot(q, v) / norm : 0;
    }

    /// <summary>
    /// A dot product in four lanes of 128 bits, the same width on every CPU, so that the sum is added in the same order and
    /// the ranking is the same on every machine (a width chosen by the CPU would change the rounding from one to another).
    /// </summary>
    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = System.Runtime.Intrinsics.Vector128<float>.Zero;
        var i = 0;
        for (; i + 4 <= a.Length; i += 4)
            sum += System.Runtime.Intrinsics.Vector128.Create(a.Slice(i, 4)) * System.Runtime.Intrinsics.Vector128.Create(b.Slice(i, 4));
        double total = (double)sum[0] + sum[1] + sum[2] + sum[3];
        for (; i < a.Length; i++) total += (double)a[i] * b[i];
        return total;
    }
}
