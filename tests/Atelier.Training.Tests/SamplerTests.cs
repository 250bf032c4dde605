using Atelier.Catalog;
using Atelier.Imaging;
using Atelier.Training.Networks;
using Atelier.Training.Runs;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public class SamplerTests
{
    static SamplerTests() => TorchRuntime.EnsureLoadable();

    private static TrainingResult TrainSmall(TinyDataset data, string name, string cond) =>
        Trainer.Start(data.Ws, TrainingOptions.Defaults(ModelKind.Dcgan, "tiny", name) with
        {
            Resolution = 32, Kimg = 0.064, Batch = 16, SnapshotKimg = 0.032, TickKimg = 0.032, GridSize = 4, Conditioning = cond, Device = "cpu",
        }, null, TestContext.Current.CancellationToken);

    [Fact]
    public void SamplesAreDrawnReproduciblyOneByOneAndRecordedWithTheirFormatAndMark()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "s", "none");
        var token = TestContext.Current.CancellationToken;
        var a = Sampler.DrawSamples(data.Ws, new SampleRequest("s", "latest", 3, 42, [], "cpu"), token);
        var b = Sampler.DrawSamples(data.Ws, new SampleRequest("s", "best", 1, 42, [], "cpu"), token);
        Assert.Equal(3, a.Candidates.Count);
        Assert.Equal(32, a.Resolution);
        Assert.All(a.Candidates, c => Assert.Equal(32 * 32 * 3, c.Pixels.Length));
        // Sample 0 of seed 42 is the same image whether 1 or 3 were asked for (same checkpoint).
        if (a.Checkpoint.Id == b.Checkpoint.Id) Assert.Equal(a.Candidates[0].Pixels, b.Candidates[0].Pixels);
        Assert.NotEqual(a.Candidates[0].Pixels, a.Candidates[1].Pixels);
        // Drawing writes and records nothing.
        var run = data.Ws.Catalog.GetRun("s")!;
        Assert.Empty(data.Ws.Catalog.ListSamples(run.Id));

        using var output = new TestSupport.TempDir();
        var files = a.Candidates.Take(2).Select(c => output.Write($"{c.Index}.png", ImageEncoder.EncodePng(Rgba(c.Pixels, 32)))).ToList();
        var recorded = Sampler.Record(data.Ws, a,
            [new WrittenSample(0, files[0], new string('0', 64), [], "png", "00000000000000a1"), new WrittenSample(1, files[1], new string('1', 64), [], "jpeg", "00000000000000b2")],
            [new WithheldSample(2, "pixels", 3, null, 0.5, 1, 0.25, 1)]);
        Assert.Equal(2, recorded.Written.Count);
        var records = data.Ws.Catalog.ListSamples(run.Id);
        Assert.Equal([0, 1], records.Select(r => r.Index));
        Assert.All(records, r => Assert.Equal(42, r.Seed));
        Assert.Equal(["png", "jpeg"], records.Select(r => r.Format));
        Assert.Equal(["00000000000000a1", "00000000000000b2"], records.Select(r => r.MarkPayload));
        var withheld = Assert.Single(data.Ws.Catalog.ListWithheldSamples(run.Id));
        Assert.Equal((2, "pixels", 3, 0.25, a.Checkpoint.Id), (withheld.Index, withheld.Reason, withheld.PdqDistance, withheld.PixelDistance, withheld.CheckpointId));
        var audit = data.Ws.Catalog.AllAuditEntries().Select(e => e.Action).ToList();
        Assert.Contains("sampling", audit);
        Assert.Contains("samples-withheld", audit);

        Assert.Equal("unconditional-run", Assert.Throws<TrainingException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("s", "latest", 1, 0, ["disc"], "cpu"), token)).Code);
        Assert.Equal("unknown-run", Assert.Throws<TrainingException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("nope", "latest", 1, 0, [], "cpu"), token)).Code);
        Assert.Equal("unknown-checkpoint", Assert.Throws<TrainingException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("s", "999", 1, 0, [], "cpu"), token)).Code);
    }

    internal static RgbaImage Rgba(byte[] rgb, int side)
    {
        var rgba = new byte[side * side * 4];
        for (int p = 0, q = 0; q < rgba.Length; p += 3, q += 4) (rgba[q], rgba[q + 1], rgba[q + 2], rgba[q + 3]) = (rgb[p], rgb[p + 1], rgb[p + 2], 255);
        return new RgbaImage(side, side, rgba);
    }

    [Fact]
    public void ATaintedCheckpointNeitherSamplesNorExportsAndNamesTheCause()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "t", "none");
        var catalog = data.Ws.Catalog;
        var token = TestContext.Current.CancellationToken;
        // Drawn before the consent is withdrawn: recording afterwards is refused too, and the written file removed.
        var drawn = Sampler.DrawSamples(data.Ws, new SampleRequest("t", "latest", 1, 0, [], "cpu"), token);
        using var output = new TestSupport.TempDir();
        var file = output.Write("0.png", ImageEncoder.EncodePng(Rgba(drawn.Candidates[0].Pixels, 32)));
        var snapshot = catalog.GetSnapshot("tiny")!;
        var count = catalog.TaintDownstream(catalog.ImagesOfSnapshot(snapshot.Id).Take(1).ToList(), "consent-revoked", "7", "consent 7 of S-1 was revoked: withdrawn");
        Assert.Equal((1, 1), (count.Snapshots, count.Runs));
        Assert.True(count.Checkpoints >= 1);

        var late = Assert.Throws<AtelierException>(() => Sampler.Record(data.Ws, drawn, [new WrittenSample(0, file, new string('0', 64), [], "png", null)], []));
        Assert.Equal("tainted", late.Code);
        Assert.False(File.Exists(file));
        var refused = Assert.Throws<AtelierException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("t", "latest", 1, 0, [], "cpu"), token));
        Assert.Equal("tainted", refused.Code);
        Assert.Contains("consent 7 of S-1 was revoked: withdrawn", refused.Message);
        Assert.Empty(catalog.ListSamples(catalog.GetRun("t")!.Id));
        Assert.Equal("tainted", Assert.Throws<AtelierException>(() => ModelExport.Run(data.Ws, "t", "latest", ModelFormat.Safetensors, Path.Combine(output.Path, "g.safetensors"))).Code);
    }

    [Fact]
    public void AClassConditionedRunSamplesTheNamedClassAndRefusesUnknownLabels()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "c", "shape");
        var token = TestContext.Current.CancellationToken;
        var result = Sampler.DrawSamples(data.Ws, new SampleRequest("c", "latest", 2, 1, ["disc"], "cpu"), token);
        Assert.All(result.Candidates, s => Assert.Equal(["disc"], s.Labels));
        var cycled = Sampler.DrawSamples(data.Ws, new SampleRequest("c", "latest", 2, 1, [], "cpu"), token);
        Assert.Equal(2, cycled.Candidates.Select(s => Assert.Single(s.Labels)).Distinct().Count());
        Assert.Equal("unknown-label", Assert.Throws<TrainingException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("c", "latest", 1, 1, ["triangle"], "cpu"), token)).Code);
        Assert.Equal("one-class", Assert.Throws<TrainingException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("c", "latest", 1, 1, ["disc", "square"], "cpu"), token)).Code);
    }

    [Fact]
    public void BadSampleRequestsAreRefused()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "multi", "multi");
        var token = TestContext.Current.CancellationToken;
        Assert.Equal("bad-count", Assert.Throws<TrainingException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("multi", "latest", 0, 1, ["shape:disc"], "cpu"), token)).Code);
        Assert.Equal("tags-required", Assert.Throws<TrainingException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("multi", "latest", 1, 1, [], "cpu"), token)).Code);
        var sample = Sampler.DrawSamples(data.Ws, new SampleRequest("multi", "latest", 1, 1, ["shape:disc", "style:flat"], "cpu"), token);
        Assert.Equal(["shape:disc", "style:flat"], sample.Candidates[0].Labels.Order(StringComparer.Ordinal));

        // A checkpoint whose file was removed by hand is named, not crashed on.
        foreach (var file in Directory.GetFiles(Path.Combine(data.RunDirectory("multi"), "checkpoints"), "*.atc")) File.Delete(file);
        var e = Assert.Throws<TrainingException>(() => Sampler.DrawSamples(data.Ws, new SampleRequest("multi", "latest", 1, 1, ["shape:disc"], "cpu"), token));
        Assert.Equal("checkpoint-missing", e.Code);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(ModelFormat.PyTorch)]
    [InlineData(ModelFormat.Safetensors)]
    public void AnExportedGeneratorLoadsBackAndComputesTheSameImages(ModelFormat format)
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "e", "none");
        using var output = new TestSupport.TempDir();
        var result = ModelExport.Run(data.Ws, "e", "latest", format, Path.Combine(output.Path, "g" + (format == ModelFormat.PyTorch ? ".pt" : ".safetensors")));
        Assert.True(File.Exists(result.DescriptorPath));
        Assert.Contains("\"latentDim\": 100", File.ReadAllText(result.DescriptorPath));

        var run = data.Ws.Catalog.GetRun("e")!;
        var checkpoint = Sampler.PickCheckpoint(data.Ws.Catalog, run, "latest");
        var (original, _, _) = TrainingSession.LoadGenerator(Checkpoints.CheckpointFile.Load(
            Path.Combine(data.RunDirectory("e"), "checkpoints", checkpoint.FileName)), CPU);
        using var loaded = GanNetworks.CreateGenerator(original.Spec);
        if (format == ModelFormat.PyTorch) loaded.load_py(result.Path);
        else loaded.load_safetensors(result.Path);
        loaded.eval();
        using var noGrad = no_grad();
        var z = randn(4, original.Spec.LatentDim, generator: new torch.Generator(5));
        var none = zeros(4, 0);
        Assert.Equal(0f, (original.call(z, none) - loaded.call(z, none)).abs().max().item<float>());
        original.Dispose();
    }
}
