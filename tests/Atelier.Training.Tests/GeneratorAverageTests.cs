using Atelier.Training.Networks;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class GeneratorAverageTests
{
    public GeneratorAverageTests() => Nets.Load();

    [Fact]
    public void Beta_is_half_per_half_life_with_ramp_up()
    {
        Assert.Equal(Math.Pow(0.5, 64 / 10_000.0), GeneratorAverage.Beta(64, 10, 5_000_000, null), 12);
        Assert.Equal(Math.Pow(0.5, 64 / 10_000.0), GeneratorAverage.Beta(64, 10, 5_000_000, 0.05), 12);
        // Early on the half-life is imagesSeen * rampup = 50 images.
        Assert.Equal(Math.Pow(0.5, 64 / 50.0), GeneratorAverage.Beta(64, 10, 1_000, 0.05), 12);
        Assert.Equal(0, GeneratorAverage.Beta(64, 10, 0, 0.05), 12);
        // After exactly one half-life of images the old weights count half.
        Assert.Equal(0.5, Math.Pow(GeneratorAverage.Beta(100, 1, long.MaxValue, null), 10), 12);
    }

    [Fact]
    public void Update_interpolates_parameters_and_copies_buffers()
    {
        using var scope = NewDisposeScope();
        var spec = NetworkSpec.Default(ModelKind.Dcgan, 32, 3);
        using var g = GanNetworks.CreateGenerator(spec);
        using var avg = GanNetworks.CreateGenerator(spec);
        var ema = new GeneratorAverage(g, avg);
        var sources = g.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in avg.named_parameters())
            Assert.True(Nets.Identical(p, sources[name]), $"{name} not copied at construction");

        var before = avg.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using (no_grad()) foreach (var p in g.parameters()) p.add_(1);
        g.train();
        using (no_grad()) g.forward(randn(8, spec.LatentDim), Nets.OneHot(8, 3));   // moves batch-norm statistics
        ema.Update(0.9);

        foreach (var (name, p) in avg.named_parameters())
            Assert.True(p.allclose(before[name] + 0.1, rtol: 0, atol: 1e-5), $"{name} not 0.9 old + 0.1 new");
        var sourceBuffers = g.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        Assert.NotEmpty(sourceBuffers);
        foreach (var (name, b) in avg.named_buffers())
            Assert.True(Nets.Identical(b, sourceBuffers[name]), $"buffer {name} not copied");
        Assert.All(avg.parameters(), p => Assert.False(p.requires_grad));
    }

    [Fact]
    public void Mismatched_generators_are_refused()
    {
        using var g = GanNetworks.CreateGenerator(NetworkSpec.Default(ModelKind.Dcgan, 32, 0));
        using var other = GanNetworks.CreateGenerator(NetworkSpec.Default(ModelKind.Dcgan, 64, 0));
        Assert.Equal("ema-mismatch", Assert.Throws<TrainingException>(() => new GeneratorAverage(g, other)).Code);
    }
}
