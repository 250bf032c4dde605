using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Imaging;
using Atelier.Provenance.Sampling;
using Atelier.Training;
using Atelier.Training.Checkpoints;
using Atelier.Training.Networks;
using Atelier.Training.Runs;
using Atelier.Training.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Provenance.Tests;

/// <summary>
/// <c>atelier sample</c>'s pipeline on real runs: a barely trained generator's samples pass the memorization check and are
/// written and recorded with a unique payload; a checkpoint whose generator was made (in the test) to output one training
/// image has every candidate withheld and recorded; JPEG output; payload → sample → checkpoint → run → snapshot, and taint.
/// </summary>
public class MarkedSamplingTests
{
    static MarkedSamplingTests() => TorchRuntime.EnsureLoadable();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static void TrainSmall(TinyDataset data, string name) =>
        Trainer.Start(data.Ws, TrainingOptions.Defaults(ModelKind.Dcgan, "tiny", name) with
        {
            Resolution = 32, Kimg = 0.032, Batch = 16, SnapshotKimg = 0.032, TickKimg = 0.032, GridSize = 4, Device = "cpu",
        }, null, Token);

    private static MarkedSamplingResult Sample(TinyDataset data, string run, int n, long seed, string output, SampleFormat format = SampleFormat.Png) =>
        MarkedSampling.Run(data.Ws, new MarkedSampleRequest(run, "latest", n, seed, [], output, format, "cpu"), SamplingSteps.None, Token);

    [Fact]
    public void NormalSamplesAreWrittenWithUniquePayloadsThatLeadBackToTheirLineage()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "n");
        using var output = new TestSupport.TempDir();
        var first = Sample(data, "n", 4, 1, output.Path);
        var second = Sample(data, "n", 2, 1, output.Path);

        Assert.Empty(first.Withheld);
        Assert.Empty(first.Check.WithheldBy);
        Assert.Equal(16, first.Check.TrainingImages);
        Assert.Equal(4, first.Samples.Count);
        // The same seed again: the same images, but each written sample is its own marked file with its own payload.
        Assert.Equal(6, Directory.GetFiles(output.Path, "*.png").Length);
        var all = first.Samples.Concat(second.Samples).ToList();
        Assert.Equal(6, all.Select(s => s.MarkPayload).Distinct().Count());
        Assert.All(all, s => Assert.True(Catalog.Catalog.IsMarkPayload(s.MarkPayload)));
        Assert.All(all, s => Assert.Equal("89504E47", Convert.ToHexString(File.ReadAllBytes(s.Path).AsSpan(0, 4))));
        Assert.All(all, s => Assert.Equal((32, 32), Size(s.Path)));
        Assert.Null(first.Watermark);
        Assert.Null(first.Credentials);

        var catalog = data.Ws.Catalog;
        var snapshot = catalog.GetSnapshot("tiny")!;
        foreach (var s in all)
        {
            var lineage = catalog.LineageOfMark(s.MarkPayload)!;
            Assert.Equal((s.Id, s.Index, s.Sha256, "png"), (lineage.Sample.Id, lineage.Sample.Index, lineage.Sample.Sha256, lineage.Sample.Format));
            Assert.Equal((first.CheckpointId, "n", snapshot.Id), (lineage.Checkpoint.Id, lineage.Run.Name, lineage.Snapshot.Id));
            Assert.False(lineage.Tainted);
        }
        Assert.Null(catalog.LineageOfMark("0123456789abcdef"));
        Assert.Null(catalog.LineageOfMark("not a payload"));
        Assert.Equal("mark-taken", Assert.Throws<AtelierException>(() =>
            catalog.AddSample(catalog.GetRun("n")!.Id, first.CheckpointId, 1, 9, null, new string('0', 64), "x.png", all[0].MarkPayload)).Code);

        // A consent withdrawn upstream afterwards: the mark still names the sample, and the lineage says it is tainted, and why.
        catalog.TaintDownstream(catalog.ImagesOfSnapshot(snapshot.Id).Take(1).ToList(), "consent-revoked", "3", "consent 3 was revoked: withdrawn");
        var tainted = catalog.LineageOfMark(all[0].MarkPayload)!;
        Assert.True(tainted.Tainted);
        Assert.Contains(tainted.Taints, t => t.Kind == TaintKind.Checkpoint && t.Cause == "consent 3 was revoked: withdrawn");
        Assert.Contains(tainted.Taints, t => t.Kind == TaintKind.Snapshot);
    }

    [Fact]
    public void JpegOutputIsWrittenAsJpegAndRecordedSo()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "j");
        using var output = new TestSupport.TempDir();
        var result = Sample(data, "j", 2, 5, output.Path, SampleFormat.Jpeg);
        Assert.Equal("jpeg", result.Format);
        Assert.Equal(2, Directory.GetFiles(output.Path, "*.jpg").Length);
        Assert.Empty(Directory.GetFiles(output.Path, "*.png"));
        Assert.All(result.Samples, s =>
        {
            var bytes = File.ReadAllBytes(s.Path);
            Assert.Equal("FFD8FF", Convert.ToHexString(bytes.AsSpan(0, 3)));
            Assert.Equal(s.Sha256, BlobStore.Sha256Hex(bytes));
            Assert.Equal((32, 32), Size(s.Path));
        });
        Assert.All(data.Ws.Catalog.ListSamples(data.Ws.Catalog.GetRun("j")!.Id), r => Assert.Equal("jpeg", r.Format));
    }

    [Fact]
    public void AGeneratorThatCopiesATrainingImageHasEveryCandidateWithheldAndRecorded()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "m");
        var catalog = data.Ws.Catalog;
        var run = catalog.GetRun("m")!;
        var (target, targetId) = TrainingImage(data, run, 3);
        MakeGeneratorCopy(data, run, target);

        using var output = new TestSupport.TempDir();
        var result = Sample(data, "m", 3, 2, output.Path);
        Assert.Empty(result.Samples);
        Assert.Empty(Directory.GetFiles(output.Path));
        Assert.Equal(3, result.Withheld.Count);
        Assert.All(result.Withheld, w =>
        {
            Assert.Contains(Memorization.PixelReason, w.Reasons);
            Assert.Equal(targetId, w.Distances.PixelImageId);
            Assert.True(w.Distances.Pixel <= result.Check.Thresholds.PixelDistance);
        });
        Assert.Equal(3, result.Check.WithheldBy[Memorization.PixelReason]);

        var recorded = catalog.ListWithheldSamples(run.Id);
        Assert.Equal([0, 1, 2], recorded.Select(r => r.Index));
        Assert.All(recorded, r =>
        {
            Assert.Equal((2L, result.CheckpointId, targetId), (r.Seed, r.CheckpointId, r.PixelImageId));
            Assert.Contains(Memorization.PixelReason, r.Reason.Split(','));
            Assert.NotNull(r.FeatureDistance);
        });
        Assert.Empty(catalog.ListSamples(run.Id));
        var audit = catalog.AllAuditEntries();
        Assert.DoesNotContain(audit, e => e.Action == "sampling");
        var entry = Assert.Single(audit, e => e.Action == "samples-withheld");
        Assert.Contains("\"pixels\"", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePolicysThresholdsDecide()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "p");
        // The loosest pixel threshold withholds everything; a policy file is what sets it.
        File.WriteAllText(Governance.Policy.PolicyFile.DefaultPath(data.Ws),
            Governance.Policy.PolicyFile.DefaultText.Replace("memorization-pixel-distance: 30", "memorization-pixel-distance: 255", StringComparison.Ordinal));
        using var output = new TestSupport.TempDir();
        var result = Sample(data, "p", 2, 0, output.Path);
        Assert.Equal(255, result.Check.Thresholds.PixelDistance);
        Assert.Equal(2, result.Withheld.Count);
        Assert.Equal(2, result.Check.WithheldBy[Memorization.PixelReason]);
        Assert.Empty(Directory.GetFiles(output.Path));
    }

    /// <summary>Image <paramref name="index"/> of the run's export (its pixels at the run's resolution, RGB) and its catalog id.</summary>
    private static (byte[] Rgb, long ImageId) TrainingImage(TinyDataset data, RunRecord run, int index)
    {
        var snapshot = data.Ws.Catalog.GetSnapshot(run.SnapshotId)!;
        using var shards = ShardSet.Open(TrainingExports.Prepare(data.Ws, snapshot, 32, Token));
        var sha = shards.Labels[index].Sha256;
        return (shards.GetImage(index).ToArray(), data.Ws.Catalog.SnapshotImageHashes(snapshot.Id).Single(i => i.Sha256 == sha).ImageId);
    }

    /// <summary>
    /// Rewrites the run's latest checkpoint so that its generator average outputs <paramref name="rgb"/> for any latent: its
    /// weights fitted to that one image by gradient descent (a model that memorised it, made in seconds instead of a long run).
    /// </summary>
    private static void MakeGeneratorCopy(TinyDataset data, RunRecord run, byte[] rgb)
    {
        var record = Sampler.PickCheckpoint(data.Ws.Catalog, run, "latest");
        var path = Path.Combine(data.RunDirectory(run.Name), "checkpoints", record.FileName);
        var content = CheckpointFile.Load(path);
        var (generator, _, labels) = TrainingSession.LoadGenerator(content, CPU);
        using var _g = generator;
        using var target = tensor(rgb.Select(v => v / 127.5f - 1f).ToArray(), [1, 32, 32, 3]).permute(0, 3, 1, 2).contiguous();
        using var rng = new torch.Generator(11, CPU);
        var optimizer = optim.Adam(generator.parameters(), lr: 0.01);
        for (int step = 0; step < 300; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var z = randn([4, generator.Spec.LatentDim], generator: rng);
            var loss = (generator.call(z, zeros(4, labels.Dim)) - target).abs().mean();
            loss.backward();
            optimizer.step();
        }
        var sections = content.Sections.ToDictionary(kv => kv.Key, kv => kv.Value);
        sections["G_ema"] = TorchState.Save(generator);
        CheckpointFile.Save(path, content with { Sections = sections });
    }

    private static (int, int) Size(string path)
    {
        var image = ImageDecoder.Decode(File.ReadAllBytes(path));
        return (image.Width, image.Height);
    }
}
