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
                // A replaced vector gets a new row id, so that FeatureStamp changes and a held SimilarityIndex is reloaded.
                Exec("INSERT OR REPLACE INTO image_features(image_id, network, vector) VALUES($i, $n, $v)",
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
    /// excluded and quarantined images are never among them. Null when the image has no vector yet. An exact scan of every
    /// vector (for many questions, keep a <see cref="SimilarityIndex"/>, as the studio does).
    /// </summary>
    public IReadOnlyList<SimilarImage>? SimilarImages(long id, string network, int k) =>
        ImageFeatures(id, network) is null ? null : SimilarityIndex.Load(this, network).Nearest(id, k, LeftOutImages());

    /// <summary>Images never shown as like another: excluded or quarantined.</summary>
    public IReadOnlySet<long> LeftOutImages()
    {
        var leftOut = new HashSet<long>();
        using var cmd = Cmd("SELECT id FROM images WHERE excluded = 1 OR quarantined = 1");
        using var r = cmd.ExecuteReader();
        while (r.Read()) leftOut.Add(r.GetInt64(0));
        return leftOut;
    }

    /// <summary>How many vectors a network has and the last one stored: changes whenever vectors are added or replaced.</summary>
    public (long Count, long LastRow) FeatureStamp(string network)
    {
        using var cmd = Cmd("SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM image_features WHERE network = $n", ("$n", network));
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    /// <summary>Every vector of a network, as stored (little-endian float32), in image order.</summary>
    public IEnumerable<(long Id, byte[] Vector)> ReadImageFeatures(string network)
    {
        using var cmd = Cmd("SELECT image_id, vector FROM image_features WHERE network = $n ORDER BY image_id", ("$n", network));
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return (r.GetInt64(0), (byte[])r.GetValue(1));
    }

    private static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
