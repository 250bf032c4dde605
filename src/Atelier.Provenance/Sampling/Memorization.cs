using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Evaluation;
using Atelier.Evaluation.Features;
using Atelier.Governance.Policy;
using Atelier.Hashing;
using Atelier.Imaging;
using Atelier.Training.Runs;

namespace Atelier.Provenance.Sampling;

/// <summary>How close one candidate came to its training snapshot, by each measure, and to which image (null: not measurable).</summary>
public sealed record MemorizationDistances(int? Pdq, long? PdqImageId, double Feature, long FeatureImageId, double Pixel, long PixelImageId);

/// <summary>The check's answer for one candidate: <see cref="Reasons"/> names the measures at or under their thresholds (empty: it passes).</summary>
public sealed record MemorizationVerdict(int Index, MemorizationDistances Distances, IReadOnlyList<string> Reasons)
{
    public bool Withheld => Reasons.Count > 0;
}

/// <summary>
/// The memorization check of <c>atelier sample</c>: each candidate is compared with every image of the snapshot its run trained
/// on, by three measures, and is withheld when any one is at or under the workspace policy's threshold:
/// <list type="bullet">
/// <item>PDQ: the Hamming distance from the candidate's PDQ hash to the nearest hash the catalog holds for the snapshot's images
/// (through <see cref="PdqIndex"/>; an image without a hash, or none within the search radius, leaves it unmeasured);</item>
/// <item>features: the cosine distance to the nearest of the snapshot's feature vectors (the network <c>atelier eval</c> uses, on the
/// run's export at the run's resolution; the per-snapshot reference cache is reused and filled);</item>
/// <item>pixels: tiled L2 on 32x32 downscales of the candidate and of the export's images: the largest RMS difference among
/// 4x4 tiles, so an image counts as a copy only when every part of it is close (a shared flat background alone is not).</item>
/// </list>
/// The three answer different failures: PDQ a near-copy at another size or encoding, features a copy that is shifted or
/// recoloured, pixels an exact or blurred copy the hash is too coarse to see at small sizes.
/// </summary>
public sealed class Memorization : IDisposable
{
    public const int PixelSide = 32;
    public const int Tiles = 4;
    public const string PdqReason = "pdq";
    public const string FeatureReason = "features";
    public const string PixelReason = "pixels";

    private readonly FeatureExtractor _extractor;
    private readonly PdqIndex _pdq;
    private readonly int _pdqRadius;
    private readonly float[][] _features;
    private readonly float[] _featureNorms;
    private readonly byte[][] _small;
    private readonly long[] _imageOfShard;

    public MemorizationPolicy Thresholds { get; }
    public int Resolution { get; }
    public SnapshotRecord Snapshot { get; }
    public string FeatureName => _extractor.Network.Name;
    /// <summary>Whether the snapshot's features came from the reference cache.</summary>
    public bool FeaturesFromCache { get; }
    public int TrainingImages => _imageOfShard.Length;

    private Memorization(FeatureExtractor extractor, PdqIndex pdq, int pdqRadius, float[][] features, byte[][] small, long[] imageOfShard,
        MemorizationPolicy thresholds, int resolution, SnapshotRecord snapshot, bool fromCache)
    {
        (_extractor, _pdq, _pdqRadius, _features, _small, _imageOfShard) = (extractor, pdq, pdqRadius, features, small, imageOfShard);
        _featureNorms = features.Select(Norm).ToArray();
        (Thresholds, Resolution, Snapshot, FeaturesFromCache) = (thresholds, resolution, snapshot, fromCache);
    }

    /// <summary>
    /// Reads what the check compares with: the run's snapshot export at <paramref name="resolution"/> (built through its policy gate
    /// when missing, as training builds it), its features, and the catalog's PDQ hashes of its images.
    /// </summary>
    public static Memorization Open(Workspace workspace, RunRecord run, int resolution, MemorizationPolicy thresholds, FeatureNetwork? network = null,
        CancellationToken cancellation = default)
    {
        var catalog = workspace.Catalog;
        var snapshot = catalog.GetSnapshot(run.SnapshotId) ?? throw new AtelierException("unknown-dataset", $"the snapshot run '{run.Name}' trained on is gone");
        var images = catalog.SnapshotImageHashes(snapshot.Id);
        var idOfSha = images.ToDictionary(i => i.Sha256, i => i.ImageId, StringComparer.Ordinal);
        var withHash = images.Where(i => i.Pdq is not null).ToList();
        var pdq = new PdqIndex(withHash.Select(i => i.ImageId).ToArray(), withHash.Select(i => PdqHashBytes.FromBytes(i.Pdq)).ToArray());

        network ??= FeatureNetwork.Default();
        var extractor = FeatureExtractor.Open(network);
        try
        {
            string key = network.CacheKey(extractor.Size, extractor.InputName, extractor.OutputName);
            var reference = ReferenceFeatures.Get(workspace, snapshot, resolution, extractor, key, cancellation);
            using var shards = ShardSet.Open(reference.ExportDirectory);
            var small = new byte[shards.Count][];
            var imageOfShard = new long[shards.Count];
            for (int i = 0; i < shards.Count; i++)
            {
                cancellation.ThrowIfCancellationRequested();
                small[i] = Downscale(shards.GetImage(i), resolution);
                // An image quarantined since the export was made is not in the catalog's list: its pixels are still compared, under id 0.
                imageOfShard[i] = idOfSha.GetValueOrDefault(shards.Labels[i].Sha256);
            }
            return new Memorization(extractor, pdq, Math.Max(thresholds.PdqDistance, PdqIndex.MaxIndexedDistance), reference.Features, small, imageOfShard,
                thresholds, resolution, snapshot, reference.FromCache);
        }
        catch
        {
            extractor.Dispose();
            throw;
        }
    }

    /// <summary>Measures every candidate (pixels: uint8 HWC RGB at <see cref="Resolution"/> square) and gives each its verdict, in order.</summary>
    public IReadOnlyList<MemorizationVerdict> Check(IReadOnlyList<SampleCandidate> candidates, CancellationToken cancellation = default)
    {
        var features = _extractor.Extract(candidates.Select(c => new RgbImage(c.Pixels, Resolution, Resolution)).ToList(), cancellation);
        var verdicts = new MemorizationVerdict[candidates.Count];
        Parallel.For(0, candidates.Count, new ParallelOptions { CancellationToken = cancellation }, k =>
        {
            var c = candidates[k];
            var (pdq, pdqImage) = NearestPdq(c.Pixels);
            var (feature, featureShard) = NearestFeature(features[k]);
            var (pixel, pixelShard) = NearestPixels(Downscale(c.Pixels, Resolution));
            var d = new MemorizationDistances(pdq, pdqImage, feature, _imageOfShard[featureShard], pixel, _imageOfShard[pixelShard]);
            var reasons = new List<string>();
            if (pdq <= Thresholds.PdqDistance) reasons.Add(PdqReason);
            if (feature <= Thresholds.FeatureDistance) reasons.Add(FeatureReason);
            if (pixel <= Thresholds.PixelDistance) reasons.Add(PixelReason);
            verdicts[k] = new MemorizationVerdict(c.Index, d, reasons);
        });
        return verdicts;
    }

    private (int? Distance, long? ImageId) NearestPdq(byte[] rgb)
    {
        var rgba = RgbaImage.FromRgb(rgb, Resolution, Resolution);
        var hash = PdqHasher.HashRgba(rgba.Pixels, Resolution, Resolution).Hash;
        var matches = _pdq.Query(hash, _pdqRadius);
        if (matches.Count == 0) return (null, null);
        var best = matches.MinBy(m => m.Distance);
        return (best.Distance, best.Id);
    }

    private (double Distance, int Shard) NearestFeature(float[] feature)
    {
        double norm = Norm(feature), best = double.PositiveInfinity;
        int at = 0;
        for (int i = 0; i < _features.Length; i++)
        {
            double dot = 0;
            var other = _features[i];
            for (int k = 0; k < other.Length; k++) dot += (double)feature[k] * other[k];
            double denominator = norm * _featureNorms[i];
            double distance = denominator > 0 ? 1 - dot / denominator : (norm == _featureNorms[i] ? 0 : 1);
            if (distance < best) (best, at) = (distance, i);
        }
        return (Math.Max(0, best), at);
    }

    /// <summary>Tiled L2 to the nearest training image: exact, pruned by abandoning an image once one tile is farther than the best so far.</summary>
    private (double Distance, int Shard) NearestPixels(byte[] small)
    {
        const int tile = PixelSide / Tiles;
        const double values = tile * tile * 3;
        double best = double.PositiveInfinity;
        int at = 0;
        for (int i = 0; i < _small.Length; i++)
        {
            var other = _small[i];
            double worst = 0;
            double bound = best * best * values;
            for (int t = 0; t < Tiles * Tiles && worst <= bound; t++)
            {
                int x0 = t % Tiles * tile, y0 = t / Tiles * tile;
                long sum = 0;
                for (int y = y0; y < y0 + tile; y++)
                {
                    int row = (y * PixelSide + x0) * 3;
                    for (int j = row; j < row + tile * 3; j++)
                    {
                        int diff = small[j] - other[j];
                        sum += diff * diff;
                    }
                }
                worst = Math.Max(worst, sum);
            }
            if (worst <= bound || double.IsPositiveInfinity(best))
            {
                double rms = Math.Sqrt(worst / values);
                if (rms < best) (best, at) = (rms, i);
            }
        }
        return (best, at);
    }

    /// <summary>An RGB image of <paramref name="side"/> square downscaled to <see cref="PixelSide"/> square (the resizer's antialiased cubic).</summary>
    public static byte[] Downscale(ReadOnlySpan<byte> rgb, int side)
    {
        return ImageResizer.Resize(RgbaImage.FromRgb(rgb, side, side), PixelSide, PixelSide).ToRgb();
    }

    private static float Norm(float[] v)
    {
        double sum = 0;
        foreach (var x in v) sum += (double)x * x;
        return (float)Math.Sqrt(sum);
    }

    public void Dispose() => _extractor.Dispose();
}
