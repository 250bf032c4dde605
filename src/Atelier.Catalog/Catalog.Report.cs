namespace Atelier.Catalog;

public sealed record HistogramBin(double From, double To, long Count);

public sealed record DuplicateCluster(IReadOnlyList<long> ImageIds, int MaxDistance);

public sealed record CatalogReport(
    long Images,
    long Excluded,
    long TotalBytes,
    IReadOnlyDictionary<string, long> BySource,
    IReadOnlyDictionary<string, long> ByRating,
    IReadOnlyDictionary<string, long> ByFormat,
    IReadOnlyDictionary<string, long> ByFlag,
    IReadOnlyDictionary<string, long> RejectionsByCode,
    IReadOnlyList<TagCount> TopTags,
    IReadOnlyDictionary<string, long> TagsByCategory,
    long ExactDuplicateCopies,
    IReadOnlyList<DuplicateCluster> NearDuplicateClusters,
    IReadOnlyDictionary<string, IReadOnlyList<HistogramBin>> Histograms);

public sealed partial class Catalog
{
    public CatalogReport Report(int topTags = 25, int maxClusters = 50)
    {
        var histograms = new Dictionary<string, IReadOnlyList<HistogramBin>>
        {
            // Laplacian variance spans decades, so its bins are powers of ten.
            ["blur_log10"] = Histogram("CASE WHEN blur > 0 THEN CAST(log10(blur) AS INTEGER) ELSE -1 END", 1, "blur IS NOT NULL"),
            ["entropy_bits"] = Histogram("CAST(entropy AS INTEGER)", 1, "entropy IS NOT NULL"),
            ["mean_luma"] = Histogram("CAST(mean_luma / 32 AS INTEGER)", 32, "mean_luma IS NOT NULL"),
            ["pdq_quality"] = Histogram("CAST(pdq_quality / 10 AS INTEGER)", 10, "pdq_quality IS NOT NULL"),
            ["short_side_log2"] = Histogram("CAST(log2(MIN(width, height)) AS INTEGER)", 1, "MIN(width, height) > 0", log2: true),
        };
        return new CatalogReport(
            Images: (long)Scalar("SELECT COUNT(*) FROM images")!,
            Excluded: (long)Scalar("SELECT COUNT(*) FROM images WHERE excluded = 1")!,
            TotalBytes: (long)Scalar("SELECT COALESCE(SUM(size_bytes), 0) FROM images")!,
            BySource: Counts("SELECT source, COUNT(DISTINCT image_id) FROM provenance GROUP BY source ORDER BY 2 DESC"),
            ByRating: Counts("SELECT COALESCE(rating, 'unrated'), COUNT(*) FROM images GROUP BY 1 ORDER BY 2 DESC"),
            ByFormat: Counts("SELECT format, COUNT(*) FROM images GROUP BY format ORDER BY 2 DESC"),
            ByFlag: Counts("SELECT flag, COUNT(*) FROM image_flags GROUP BY flag ORDER BY 2 DESC"),
            RejectionsByCode: Counts("SELECT code, COUNT(*) FROM rejections GROUP BY code ORDER BY 2 DESC"),
            TopTags: TagStatistics(null, topTags),
            TagsByCategory: Counts("SELECT category, COUNT(*) FROM tags GROUP BY category ORDER BY 2 DESC"),
            ExactDuplicateCopies: (long)Scalar("SELECT COUNT(*) - COUNT(DISTINCT image_id) FROM provenance")!,
            NearDuplicateClusters: NearDuplicateClusters(maxClusters),
            Histograms: histograms);
    }

    private Dictionary<string, long> Counts(string sql)
    {
        using var cmd = Cmd(sql);
        using var r = cmd.ExecuteReader();
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        while (r.Read()) d[r.GetString(0)] = r.GetInt64(1);
        return d;
    }

    private List<HistogramBin> Histogram(string bucketExpression, double width, string where, bool log2 = false)
    {
        using var cmd = Cmd($"SELECT {bucketExpression} AS b, COUNT(*) FROM images WHERE {where} GROUP BY b ORDER BY b");
        using var r = cmd.ExecuteReader();
        var bins = new List<HistogramBin>();
        var log = bucketExpression.StartsWith("CASE", StringComparison.Ordinal);
        while (r.Read())
        {
            var b = r.GetInt64(0);
            if (log) bins.Add(new HistogramBin(b < 0 ? 0 : Math.Pow(10, b), Math.Pow(10, b + 1), r.GetInt64(1)));
            else if (log2) bins.Add(new HistogramBin(Math.Pow(2, b), Math.Pow(2, b + 1), r.GetInt64(1)));
            else bins.Add(new HistogramBin(b * width, (b + 1) * width, r.GetInt64(1)));
        }
        return bins;
    }

    /// <summary>Groups of images linked by near-duplicate pairs (connected components), largest first.</summary>
    public IReadOnlyList<DuplicateCluster> NearDuplicateClusters(int limit = int.MaxValue)
    {
        var parent = new Dictionary<long, long>();
        var maxDistance = new Dictionary<long, int>();
        long Find(long x)
        {
            while (parent.TryGetValue(x, out var p) && p != x) x = parent[x] = parent.GetValueOrDefault(p, p);
            return x;
        }
        var pairs = new List<(long A, long B, int D)>();
        using (var cmd = Cmd("SELECT image_id, other_id, distance FROM near_duplicates"))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) pairs.Add((r.GetInt64(0), r.GetInt64(1), r.GetInt32(2)));
        foreach (var (a, b, _) in pairs)
        {
            parent.TryAdd(a, a);
            parent.TryAdd(b, b);
            var (ra, rb) = (Find(a), Find(b));
            if (ra != rb) parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
        }
        foreach (var (a, _, d) in pairs)
        {
            var root = Find(a);
            maxDistance[root] = Math.Max(maxDistance.GetValueOrDefault(root), d);
        }
        return parent.Keys.GroupBy(Find)
            .Select(g => new DuplicateCluster(g.OrderBy(x => x).ToList(), maxDistance.GetValueOrDefault(g.Key)))
            .OrderByDescending(c => c.ImageIds.Count).ThenBy(c => c.ImageIds[0])
            .Take(limit).ToList();
    }
}
