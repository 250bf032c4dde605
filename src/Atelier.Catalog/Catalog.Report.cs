namespace Atelier.Catalog;

public sealed record HistogramBin(double From, double To, long Count);

public sealed record DuplicateCluster(IReadOnlyList<long> ImageIds, int MaxDistance);

/// <summary>Governance at a glance: counts only (quarantined items are never described beyond a count here).</summary>
public sealed record GovernanceCounts(long Quarantined, long Subjects, long ActiveConsents, long RevokedConsents, long TaintedSnapshots,
    long TaintedRuns, long TaintedCheckpoints, long AuditEntries);

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
    IReadOnlyDictionary<string, IReadOnlyList<HistogramBin>> Histograms,
    GovernanceCounts Governance,
    IReadOnlyList<SkippedGroup> SkippedByExtension);

public sealed partial class Catalog
{
    public CatalogReport Report(int topTags = 25, int maxClusters = 50)
    {
        var scan = ScanImages();
        return new CatalogReport(
            Images: scan.Images,
            Excluded: scan.Excluded,
            TotalBytes: scan.Bytes,
            BySource: Counts($"SELECT source, COUNT(DISTINCT image_id) FROM provenance WHERE {NotQuarantined} GROUP BY source ORDER BY 2 DESC"),
            ByRating: Sorted(scan.ByRating),
            ByFormat: Sorted(scan.ByFormat),
            ByFlag: Counts($"SELECT flag, COUNT(*) FROM image_flags WHERE {NotQuarantined} GROUP BY flag ORDER BY 2 DESC"),
            RejectionsByCode: Counts("SELECT code, COUNT(*) FROM rejections GROUP BY code ORDER BY 2 DESC"),
            TopTags: TagStatistics(null, topTags),
            TagsByCategory: Counts("SELECT category, COUNT(*) FROM tags GROUP BY category ORDER BY 2 DESC"),
            ExactDuplicateCopies: (long)Scalar($"SELECT COUNT(*) FROM provenance WHERE {NotQuarantined}")! - scan.Images,
            NearDuplicateClusters: NearDuplicateClusters(maxClusters),
            Histograms: scan.Histograms.ToDictionary(kv => kv.Key, kv => kv.Value.Bins()),
            Governance: new GovernanceCounts(
                Quarantined: Count("SELECT COUNT(*) FROM quarantine"),
                Subjects: Count("SELECT COUNT(*) FROM subjects"),
                ActiveConsents: Count($"SELECT COUNT(*) FROM consents WHERE status = '{ConsentStatus.Active}'"),
                RevokedConsents: Count($"SELECT COUNT(*) FROM consents WHERE status = '{ConsentStatus.Revoked}'"),
                TaintedSnapshots: Count($"SELECT COUNT(DISTINCT entity_id) FROM taints WHERE kind = '{TaintKind.Snapshot}'"),
                TaintedRuns: Count($"SELECT COUNT(DISTINCT entity_id) FROM taints WHERE kind = '{TaintKind.Run}'"),
                TaintedCheckpoints: Count($"SELECT COUNT(DISTINCT entity_id) FROM taints WHERE kind = '{TaintKind.Checkpoint}'"),
                AuditEntries: AuditCount),
            SkippedByExtension: SkippedByExtension());
    }

    /// <summary>Filter for tables keyed by image_id: quarantined images count nowhere.</summary>
    private const string NotQuarantined = "image_id NOT IN (SELECT id FROM images WHERE quarantined = 1)";

    private long Count(string sql) => (long)Scalar(sql)!;

    private static Dictionary<string, long> Sorted(Dictionary<string, long> d) =>
        d.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary();

    /// <summary>One pass over the image table for every per-image count and histogram (a million rows in about a second).</summary>
    private ImageScan ScanImages()
    {
        var scan = new ImageScan();
        using var cmd = Cmd("SELECT excluded, size_bytes, COALESCE(rating, 'unrated'), format, blur, entropy, mean_luma, pdq_quality, MIN(width, height) FROM images WHERE quarantined = 0");
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            scan.Images++;
            if (r.GetBoolean(0)) scan.Excluded++;
            scan.Bytes += r.GetInt64(1);
            var rating = r.GetString(2);
            scan.ByRating[rating] = scan.ByRating.GetValueOrDefault(rating) + 1;
            var format = r.GetString(3);
            scan.ByFormat[format] = scan.ByFormat.GetValueOrDefault(format) + 1;
            if (!r.IsDBNull(4)) scan.Histograms["blur_log10"].Add(r.GetDouble(4));
            if (!r.IsDBNull(5)) scan.Histograms["entropy_bits"].Add(r.GetDouble(5));
            if (!r.IsDBNull(6)) scan.Histograms["mean_luma"].Add(r.GetDouble(6));
            if (!r.IsDBNull(7)) scan.Histograms["pdq_quality"].Add(r.GetInt32(7));
            scan.Histograms["short_side_log2"].Add(r.GetInt32(8));
        }
        return scan;
    }

    private sealed class ImageScan
    {
        public long Images, Excluded, Bytes;
        public Dictionary<string, long> ByRating { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> ByFormat { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Histogram> Histograms { get; } = new()
        {
            // Laplacian variance and image size span decades, so their bins are powers of ten and two.
            ["blur_log10"] = Histogram.Logarithmic(10),
            ["entropy_bits"] = Histogram.Linear(1),
            ["mean_luma"] = Histogram.Linear(32),
            ["pdq_quality"] = Histogram.Linear(10),
            ["short_side_log2"] = Histogram.Logarithmic(2),
        };
    }

    private sealed class Histogram(double width, double logBase)
    {
        private readonly SortedDictionary<int, long> _bins = [];

        public static Histogram Linear(double width) => new(width, 0);
        public static Histogram Logarithmic(double logBase) => new(0, logBase);

        public void Add(double value)
        {
            var bin = logBase > 0 ? (value > 0 ? (int)Math.Floor(Math.Log(value, logBase) + 1e-9) : int.MinValue) : (int)Math.Floor(value / width);
            _bins[bin] = _bins.GetValueOrDefault(bin) + 1;
        }

        public IReadOnlyList<HistogramBin> Bins() => _bins.Select(kv => logBase > 0
            ? new HistogramBin(kv.Key == int.MinValue ? 0 : Math.Pow(logBase, kv.Key), kv.Key == int.MinValue ? 0 : Math.Pow(logBase, kv.Key + 1), kv.Value)
            : new HistogramBin(kv.Key * width, (kv.Key + 1) * width, kv.Value)).ToList();
    }

    private Dictionary<string, long> Counts(string sql)
    {
        using var cmd = Cmd(sql);
        using var r = cmd.ExecuteReader();
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        while (r.Read()) d[r.GetString(0)] = r.GetInt64(1);
        return d;
    }

    /// <summary>Visible images (not excluded, not quarantined) per quality flag, by flag name.</summary>
    public IReadOnlyDictionary<string, long> FlagCounts() =>
        Counts("SELECT f.flag, COUNT(*) FROM image_flags f JOIN images ON images.id = f.image_id WHERE images.quarantined = 0 AND images.excluded = 0 GROUP BY f.flag ORDER BY f.flag");

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
