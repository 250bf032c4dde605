using Atelier.Catalog;
using Atelier.Training.Networks;
using Atelier.Training.Runs;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

/// <summary>
/// No kernel Atelier runs reads memory it did not write. libtorch 2.10's oneDNN does in some layers
/// (it pads channels to a block and reads the padding), and what it read was whatever an earlier
/// tensor had left there: training stopped on NaN at random, more often under load. With every new
/// block filled with NaN, any such read shows as NaN, on any CPU, every time.
/// </summary>
[Collection(nameof(JunkFilledMemoryCollection))]
public class UnwrittenMemoryTests
{
    static UnwrittenMemoryTests() => TorchRuntime.EnsureLoadable();

    [Fact]
    public void TheJunkFillMakesEveryNewBlockNaN()
    {
        using var junk = new JunkFilledMemory();
        using var block = empty(1 << 16);
        Assert.True(block.isnan().all().item<bool>());
    }

    public static TheoryData<ModelKind, int, int> Networks() => new()
    {
        { ModelKind.Dcgan, 32, 0 }, { ModelKind.Dcgan, 64, 0 }, { ModelKind.Dcgan, 32, 5 }, { ModelKind.Dcgan, 128, 0 },
        { ModelKind.Modern, 32, 0 }, { ModelKind.Modern, 64, 0 }, { ModelKind.Modern, 32, 5 },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void NetworksReadOnlyWhatTheyWrote(ModelKind kind, int resolution, int labelDim)
    {
        // One sample and a batch, training and sampling, and the gradient penalties' double backward.
        foreach (int batch in new[] { 1, 16 })
        foreach (bool training in new[] { true, false })
        {
            using var scope = NewDisposeScope();
            var spec = NetworkSpec.Default(kind, resolution, labelDim);
            var g = GanNetworks.CreateGenerator(spec);
            var d = GanNetworks.CreateDiscriminator(spec);
            g.train(training);
            d.train(training);
            var z = randn(batch, spec.LatentDim);
            var labels = Nets.OneHot(batch, labelDim);
            var real = randn(batch, 3, resolution, resolution).requires_grad_(true);
            string where = $"batch {batch}, {(training ? "training" : "sampling")}";
            using var junk = new JunkFilledMemory();
            var images = g.forward(z, labels);
            var fake = d.forward(images, labels);
            Assert.True(Finite(images) && Finite(fake), $"forward pass gave NaN ({where})");
            if (!training) continue;
            fake.sum().backward();
            var penalty = autograd.grad([d.forward(real, labels).sum()], [real], retain_graph: true, create_graph: true)[0];
            penalty.square().sum().backward();
            Assert.True(Finite(penalty), $"gradient penalty gave NaN ({where})");
            foreach (var (name, p) in g.named_parameters().Concat(d.named_parameters()))
                Assert.True(p.grad is null || Finite(p.grad), $"gradient of {name} gave NaN ({where})");
        }
    }

    private static bool Finite(Tensor t) => t.isfinite().all().item<bool>();

    [Theory]
    [InlineData(ModelKind.Dcgan)]
    [InlineData(ModelKind.Modern)]
    public void TrainingAndSamplingGiveTheNumbersOfFreshMemory(ModelKind model)
    {
        // The whole loop: augmentation, EMA, losses, penalties, optimiser, labels, checkpoints, sampling.
        using var data = new TinyDataset(count: 32);
        var options = (model == ModelKind.Dcgan ? DeterminismTests.Dcgan("clean") : DeterminismTests.Modern("clean")) with
        {
            Conditioning = "shape", Augment = "ada",
        };
        var token = TestContext.Current.CancellationToken;
        Trainer.Start(data.Ws, options, null, token);
        var clean = Sampler.DrawSamples(data.Ws, new SampleRequest("clean", "latest", 3, 7, ["disc"], "cpu"), token);
        TrainingResult result;
        SampleCandidates junked;
        using (new JunkFilledMemory())
        {
            result = Trainer.Start(data.Ws, options with { Name = "junk" }, null, token);
            junked = Sampler.DrawSamples(data.Ws, new SampleRequest("junk", "latest", 3, 7, ["disc"], "cpu"), token);
        }
        Assert.Equal(RunStatus.Finished, result.Status);
        Assert.Equal(DeterminismTests.Logged(data, "clean"), DeterminismTests.Logged(data, "junk"));
        Assert.Equal(clean.Candidates.Select(s => s.Pixels), junked.Candidates.Select(s => s.Pixels));
    }
}
