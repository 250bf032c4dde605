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
    public void SamplesAreWrittenRecordedAndReproducibleOneByOne()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "s", "none");
        using var outA = new TestSupport.TempDir();
        using var outB = new TestSupport.TempDir();
        var a = Sampler.Generate(data.Ws, new SampleRequest("s", "latest", 3, 42, [], outA.Path, "cpu"), TestContext.Current.CancellationToken);
        var b = Sampler.Generate(data.Ws, new SampleRequest("s", "best", 1, 42, [], outB.Path, "cpu"), TestContext.Current.CancellationToken);
        Assert.Equal(3, a.Samples.Count);
        var png = ImageDecoder.Decode(File.ReadAllBytes(a.Samples[0].Path));
        Assert.Equal((32, 32), (png.Width, png.Height));
        // Sample 0 of seed 42 is the same image whether 1 or 3 were asked for (same checkpoint).
        if (a.CheckpointId == b.CheckpointId) Assert.Equal(a.Samples[0].Sha256, b.Samples[0].Sha256);
        Assert.NotEqual(a.Samples[0].Sha256, a.Samples[1].Sha256);

        var run = data.Ws.Catalog.GetRun("s")!;
        var records = data.Ws.Catalog.ListSamples(run.Id);
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal(42, r.Seed));
        Assert.Equal(a.Samples.Select(s => s.Sha256), records.Take(3).Select(r => r.Sha256));
        Assert.Equal("unconditional-run", Assert.Throws<TrainingException>(() => Sampler.Generate(data.Ws, new SampleRequest("s", "latest", 1, 0, ["disc"], outA.Path, "cpu"), TestContext.Current.CancellationToken)).Code);
        Assert.Equal("unknown-run", Assert.Throws<TrainingException>(() => Sampler.Generate(data.Ws, new SampleRequest("nope", "latest", 1, 0, [], outA.Path, "cpu"), TestContext.Current.CancellationToken)).Code);
        Assert.Equal("unknown-checkpoint", Assert.Throws<TrainingException>(() => Sampler.Generate(data.Ws, new SampleRequest("s", "999", 1, 0, [], outA.Path, "cpu"), TestContext.Current.CancellationToken)).Code);
    }

    [Fact]
    public void ATaintedCheckpointNeitherSamplesNorExportsAndNamesTheCause()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "t", "none");
        using var output = new TestSupport.TempDir();
        var catalog = data.Ws.Catalog;
        var snapshot = catalog.GetSnapshot("tiny")!;
        var count = catalog.TaintDownstream(catalog.ImagesOfSnapshot(snapshot.Id).Take(1).ToList(), "consent-revoked", "7", "consent 7 of S-1 was revoked: withdrawn");
        Assert.Equal((1, 1), (count.Snapshots, count.Runs));
        Assert.True(count.Checkpoints >= 1);

        var refused = Assert.Throws<AtelierException>(() => Sampler.Generate(data.Ws, new SampleRequest("t", "latest", 1, 0, [], output.Path, "cpu"), TestContext.Current.CancellationToken));
        Assert.Equal("tainted", refused.Code);
        Assert.Contains("consent 7 of S-1 was revoked: withdrawn", refused.Message);
        Assert.Empty(Directory.GetFiles(output.Path));
        Assert.Empty(catalog.ListSamples(catalog.GetRun("t")!.Id));
        Assert.Equal("tainted", Assert.Throws<AtelierException>(() => ModelExport.Run(data.Ws, "t", "latest", ModelFormat.Safetensors, Path.Combine(output.Path, "g.safetensors"))).Code);
    }

    [Fact]
    public void AClassConditionedRunSamplesTheNamedClassAndRefusesUnknownLabels()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "c", "shape");
        using var output = new TestSupport.TempDir();
        var result = Sampler.Generate(data.Ws, new SampleRequest("c", "latest", 2, 1, ["disc"], output.Path, "cpu"), TestContext.Current.CancellationToken);
        Assert.All(result.Samples, s => Assert.Single(s.Labels));
        var run = data.Ws.Catalog.GetRun("c")!;
        Assert.All(data.Ws.Catalog.ListSamples(run.Id), s => Assert.Contains("disc", s.Labels));
        Assert.Equal("unknown-label", Assert.Throws<TrainingException>(() => Sampler.Generate(data.Ws, new SampleRequest("c", "latest", 1, 1, ["triangle"], output.Path, "cpu"), TestContext.Current.CancellationToken)).Code);
        Assert.Equal("one-class", Assert.Throws<TrainingException>(() => Sampler.Generate(data.Ws, new SampleRequest("c", "latest", 1, 1, ["disc", "square"], output.Path, "cpu"), TestContext.Current.CancellationToken)).Code);
    }

    [Fact]
    public void BadSampleRequestsAreRefused()
    {
        using var data = new TinyDataset(count: 16);
        TrainSmall(data, "multi", "multi");
        using var output = new TestSupport.TempDir();
        var token = TestContext.Current.CancellationToken;
        Assert.Equal("bad-count", Assert.Throws<TrainingException>(() => Sampler.Generate(data.Ws, new SampleRequest("multi", "latest", 0, 1, ["shape:disc"], output.Path, "cpu"), token)).Code);
        Assert.Equal("tags-required", Assert.Throws<TrainingException>(() => Sampler.Generate(data.Ws, new SampleRequest("multi", "latest", 1, 1, [], output.Path, "cpu"), token)).Code);
        var sample = Sampler.Generate(data.Ws, new SampleRequest("multi", "latest", 1, 1, ["shape:disc", "style:flat"], output.Path, "cpu"), token);
        Assert.Equal(["shape:disc", "style:flat"], sample.Samples[0].Labels.Order(StringComparer.Ordinal));

        // A checkpoint whose file was removed by hand is named, not crashed on.
        foreach (var file in Directory.GetFiles(Path.Combine(data.RunDirectory("multi"), "checkpoints"), "*.atc")) File.Delete(file);
        var e = Assert.Throws<TrainingException>(() => Sampler.Generate(data.Ws, new SampleRequest("multi", "latest", 1, 1, ["shape:disc"], output.Path, "cpu"), token));
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
