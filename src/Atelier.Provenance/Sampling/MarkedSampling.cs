using System.Reflection;
using Atelier.Catalog;
using Atelier.Evaluation.Features;
using Atelier.Governance.Policy;
using Atelier.Imaging;
using Atelier.Training.Runs;

namespace Atelier.Provenance.Sampling;

public sealed record MarkedSampleRequest(string Run, string Checkpoint, int Count, long Seed, IReadOnlyList<string> Tags, string OutputDirectory,
    SampleFormat Format = SampleFormat.Png, string Device = "auto", FeatureNetwork? Features = null);

/// <summary>A sample written and recorded: <see cref="Id"/> is its catalog id, <see cref="MarkPayload"/> its ledger payload (16 hex digits).</summary>
public sealed record MarkedSample(long Id, int Index, string Path, string Sha256, IReadOnlyList<string> Labels, string Format, string MarkPayload,
    MemorizationDistances Distances);

/// <summary>A candidate the memorization check kept back (not written); <see cref="Id"/> is its record in withheld_samples.</summary>
public sealed record WithheldCandidate(long Id, int Index, IReadOnlyList<string> Reasons, MemorizationDistances Distances);

/// <summary>What the check compared with and how many it withheld for each reason (a candidate may count under several).</summary>
public sealed record MemorizationSummary(string Snapshot, int TrainingImages, MemorizationPolicy Thresholds, string Features, bool FeaturesFromCache,
    IReadOnlyDictionary<string, int> WithheldBy);

/// <param name="Resolution">The generator's side.</param>
/// <param name="Side">The files' side: <paramref name="Resolution"/>, or the watermark's minimum when the generator's is smaller (upscaled before marking).</param>
/// <param name="Watermark">The mark embedded (null: no watermark step ran).</param>
/// <param name="Credentials">The credentials attached (null: no credentials step ran).</param>
public sealed record MarkedSamplingResult(string Run, long CheckpointId, long CheckpointImages, string CheckpointSha256, long Seed, string Format,
    int Resolution, int Side, IReadOnlyList<MarkedSample> Samples, IReadOnlyList<WithheldCandidate> Withheld, MemorizationSummary Check,
    string? Watermark, string? Credentials);

/// <summary>
/// <c>atelier sample</c>: draw (Training's sampler, in memory) → memorization check against the run's training snapshot (a
/// candidate too close to a training image is withheld: never written, recorded with its distances) → a fresh ledger payload →
/// watermark (when a marker is given) → encode (PNG or JPEG) → credentials (when a writer is given) → written whole under its
/// final name → recorded (samples with payload and format, withheld candidates, audit entries) in one transaction.
/// </summary>
public static class MarkedSampling
{
    public const string SoftwareName = "Atelier";

    /// <summary>The version the credentials name (the build's informational version, without its source-revision suffix).</summary>
    public static string SoftwareVersion { get; } =
        (typeof(MarkedSampling).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown").Split('+')[0];

    public static string SoftwareAgent { get; } = $"{SoftwareName} {SoftwareVersion}";

    public static MarkedSamplingResult Run(Workspace workspace, MarkedSampleRequest request, SamplingSteps? steps = null, CancellationToken cancellation = default)
    {
        steps ??= SamplingSteps.None;
        var drawn = Sampler.DrawSamples(workspace, new SampleRequest(request.Run, request.Checkpoint, request.Count, request.Seed, request.Tags, request.Device), cancellation);
        var thresholds = PolicyFile.Load(workspace).Memorization;
        IReadOnlyList<MemorizationVerdict> verdicts;
        MemorizationSummary summary;
        using (var check = Memorization.Open(workspace, drawn.Run, drawn.Resolution, thresholds, request.Features, cancellation))
        {
            verdicts = check.Check(drawn.Candidates, cancellation);
            var withheldBy = verdicts.SelectMany(v => v.Reasons).GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
            summary = new MemorizationSummary(check.Snapshot.Name, check.TrainingImages, thresholds, check.FeatureName, check.FeaturesFromCache, withheldBy);
        }

        // The check above compares what the generator drew; the files may be upscaled so that the mark fits.
        int resolution = drawn.Resolution, side = Math.Max(resolution, steps.Marker?.MinimumSide ?? 0);
        Directory.CreateDirectory(request.OutputDirectory);
        var written = new List<(WrittenSample Sample, MemorizationDistances Distances)>();
        var withheld = new List<WithheldSample>();
        var taken = new HashSet<ulong>();
        var now = DateTimeOffset.UtcNow;
        try
        {
            foreach (var (candidate, verdict) in drawn.Candidates.Zip(verdicts))
            {
                cancellation.ThrowIfCancellationRequested();
                var d = verdict.Distances;
                if (verdict.Withheld)
                {
                    withheld.Add(new WithheldSample(candidate.Index, string.Join(",", verdict.Reasons), d.Pdq, d.PdqImageId, d.Feature, d.FeatureImageId, d.Pixel, d.PixelImageId));
                    continue;
                }
                ulong payload = MarkPayloads.Draw(workspace.Catalog, taken);
                string hex = MarkPayloads.ToHex(payload);
                var pixels = side == resolution ? (byte[])candidate.Pixels.Clone()
                    : ImageResizer.Resize(RgbaImage.FromRgb(candidate.Pixels, resolution, resolution), side, side).ToRgb();
                steps.Marker?.Embed(pixels, side, side, payload);
                var bytes = SampleFormats.Encode(pixels, side, request.Format);
                if (steps.Credentials is { } credentials)
                {
                    var claim = new SampleClaim($"{drawn.Run.Name}/{drawn.Checkpoint.Id}/{drawn.Seed}/{candidate.Index}", hex, drawn.Run.Name, drawn.Checkpoint.Id,
                        drawn.Checkpoint.Sha256, drawn.Run.SnapshotRoot, drawn.Seed, candidate.Index, candidate.Labels, SoftwareAgent, now, steps.Marker is not null);
                    bytes = credentials.Attach(bytes, request.Format, claim);
                }
                // The payload is in the name: every sample is its own marked file, so two samplers of the same seed never overwrite each other's.
                string file = Path.Combine(request.OutputDirectory,
                    $"{drawn.Run.Name}-{drawn.Checkpoint.ImagesSeen / 1000.0:0000.0}kimg-seed{drawn.Seed}-{candidate.Index:D5}-{hex}{request.Format.Extension()}");
                AtomicFile.WriteAllBytes(file, bytes, flushToDisk: false);
                written.Add((new WrittenSample(candidate.Index, file, BlobStore.Sha256Hex(bytes), candidate.Labels, request.Format.Name(), hex), d));
            }
        }
        catch
        {
            // Nothing leaves unrecorded: files of an interrupted sampling are removed.
            foreach (var (g, _) in written) File.Delete(g.Path);
            throw;
        }

        var checks = new
        {
            snapshot = summary.Snapshot, thresholds, features = summary.Features, resolution, side,
            watermark = steps.Marker?.Name, credentials = steps.Credentials?.Name,
        };
        var recorded = Sampler.Record(workspace, drawn, written.Select(w => w.Sample).ToList(), withheld, checks);
        var distances = written.ToDictionary(w => w.Sample.Index, w => w.Distances);
        var byIndex = verdicts.ToDictionary(v => v.Index);
        return new MarkedSamplingResult(drawn.Run.Name, drawn.Checkpoint.Id, drawn.Checkpoint.ImagesSeen, drawn.Checkpoint.Sha256, drawn.Seed, request.Format.Name(),
            resolution, side, recorded.Written.Select(w => new MarkedSample(w.Id, w.Sample.Index, w.Sample.Path, w.Sample.Sha256, w.Sample.Labels, w.Sample.Format, w.Sample.MarkPayload!,
                distances[w.Sample.Index])).ToList(),
            recorded.Withheld.Select(w => new WithheldCandidate(w.Id, w.Candidate.Index, byIndex[w.Candidate.Index].Reasons, byIndex[w.Candidate.Index].Distances)).ToList(),
            summary, steps.Marker?.Name, steps.Credentials?.Name);
    }
}
