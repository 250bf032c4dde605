using Atelier.Training.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class NetworkTests
{
    public NetworkTests() => Nets.Load();

    public static TheoryData<ModelKind, int, int> Shapes()
    {
        var data = new TheoryData<ModelKind, int, int>();
        foreach (var kind in new[] { ModelKind.Dcgan, ModelKind.Modern })
            foreach (int r in NetworkSpec.Resolutions)
                foreach (int l in new[] { 0, 5 })
                    data.Add(kind, r, l);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Generator_and_discriminator_have_the_documented_shapes(ModelKind kind, int resolution, int labelDim)
    {
        using var scope = NewDisposeScope();
        // Narrow modern nets keep the 256x256 cases fast; shapes do not depend on width.
        var spec = Nets.Spec(kind, resolution, labelDim, width: kind == ModelKind.Modern ? 0.125 : 1.0);
        using var g = GanNetworks.CreateGenerator(spec);
        using var d = GanNetworks.CreateDiscriminator(spec);
        using var noGrad = no_grad();
        g.eval();   // sampling mode: the contract is images in [-1, 1]
        var images = g.forward(randn(2, spec.LatentDim), Nets.OneHot(2, labelDim));
        Assert.Equal(new long[] { 2, 3, resolution, resolution }, images.shape);
        Assert.True(images.abs().max().item<float>() <= 1f);
        var logits = d.forward(images, Nets.OneHot(2, labelDim));
        Assert.Equal(new long[] { 2 }, logits.shape);
    }

    [Theory]
    [InlineData(64, new[] { 512, 256, 128, 64 })]
    [InlineData(32, new[] { 256, 128, 64 })]
    [InlineData(128, new[] { 512, 512, 256, 128, 64 })]
    public void Dcgan_widths_follow_the_pytorch_example(int resolution, int[] expected) =>
        Assert.Equal(expected, DcganLayout.Channels(resolution));

    [Fact]
    public void Dcgan_64_has_the_pytorch_example_parameter_counts()
    {
        var spec = NetworkSpec.Default(ModelKind.Dcgan, 64, 0);
        using var g = GanNetworks.CreateGenerator(spec);
        using var d = GanNetworks.CreateDiscriminator(spec);
        // The PyTorch DCGAN example (nz=100, ngf=ndf=64) prints these counts.
        Assert.Equal(3_576_704, Nets.ParameterCount(g));
        Assert.Equal(2_765_568, Nets.ParameterCount(d));
        Assert.Equal(100, spec.LatentDim);
    }

    [Theory]
    [InlineData(ModelKind.Dcgan)]
    [InlineData(ModelKind.Modern)]
    public void No_labels_add_no_parameters_and_labels_add_only_the_embeddings(ModelKind kind)
    {
        var plain = Nets.Spec(kind, 32, 0, 0.25);
        var conditional = plain with { LabelDim = 7 };
        using var g0 = GanNetworks.CreateGenerator(plain);
        using var g1 = GanNetworks.CreateGenerator(conditional);
        using var d0 = GanNetworks.CreateDiscriminator(plain);
        using var d1 = GanNetworks.CreateDiscriminator(conditional);
        Assert.DoesNotContain(g0.named_parameters(), p => p.name.Contains("label"));
        Assert.DoesNotContain(d0.named_parameters(), p => p.name.Contains("label"));
        long gExtra = Nets.ParameterCount(g1) - Nets.ParameterCount(g0);
        long dExtra = Nets.ParameterCount(d1) - Nets.ParameterCount(d0);
        Assert.True(gExtra > 0 && dExtra > 0);
        // The label parameters are exactly the embedding matrices (plus G's wider first layer).
        long gEmbedding = g1.named_parameters().Where(p => p.name.Contains("label")).Sum(p => p.parameter.numel());
        long dEmbedding = d1.named_parameters().Where(p => p.name.Contains("label")).Sum(p => p.parameter.numel());
        Assert.Equal(dExtra, dEmbedding);
        Assert.True(gEmbedding > 0 && gEmbedding <= gExtra);
        Assert.Equal(0, gEmbedding % 7);
    }

    [Theory]
    [InlineData(ModelKind.Dcgan)]
    [InlineData(ModelKind.Modern)]
    public void Labels_change_the_generated_images_and_the_logits(ModelKind kind)
    {
        using var scope = NewDisposeScope();
        var spec = Nets.Spec(kind, 32, 4, 0.25);
        using var g = GanNetworks.CreateGenerator(spec);
        using var d = GanNetworks.CreateDiscriminator(spec);
        g.eval(); d.eval();
        using var noGrad = no_grad();
        var z = randn(3, spec.LatentDim);
        var a = zeros(3, 4); a[.., 0] = 1f;
        var b = zeros(3, 4); b[.., 2] = 1f;
        var imagesA = g.forward(z, a);
        var imagesB = g.forward(z, b);
        Assert.True((imagesA - imagesB).abs().max().item<float>() > 1e-4f);
        var x = rand(3, 3, 32, 32) * 2 - 1;
        var logitsA = d.forward(x, a);
        var logitsB = d.forward(x, b);
        Assert.True((logitsA - logitsB).abs().max().item<float>() > 1e-5f);
    }

    [Theory]
    [InlineData(ModelKind.Dcgan)]
    [InlineData(ModelKind.Modern)]
    public void Every_parameter_gets_a_gradient(ModelKind kind)
    {
        using var scope = NewDisposeScope();
        var spec = Nets.Spec(kind, 32, 3, 0.25);
        using var g = GanNetworks.CreateGenerator(spec);
        using var d = GanNetworks.CreateDiscriminator(spec);
        var labels = Nets.OneHot(4, 3);
        // The modern nets start each residual branch's last layer at zero (fix-up), which blocks
        // the gradient to the branch's inner layers until one step has moved it; so step once.
        var parameters = g.parameters().Concat(d.parameters()).ToList();
        using var sgd = optim.SGD(parameters, 0.01);
        for (int step = 0; step < 2; step++)
        {
            sgd.zero_grad();
            var logits = d.forward(g.forward(randn(4, spec.LatentDim), labels), labels);
            nn.functional.softplus(-logits).mean().backward();
            if (step == 0) sgd.step();
        }
        foreach (var (name, p) in g.named_parameters().Concat(d.named_parameters()))
        {
            Assert.True(p.grad is not null, $"{name} has no gradient");
            Assert.True(p.grad!.abs().sum().item<float>() > 0, $"{name} has a zero gradient");
        }
    }

    [Fact]
    public void Dcgan_initialisation_statistics_match_the_paper()
    {
        using var scope = NewDisposeScope();
        var spec = NetworkSpec.Default(ModelKind.Dcgan, 64, 0);
        using var g = GanNetworks.CreateGenerator(spec);
        using var d = GanNetworks.CreateDiscriminator(spec);
        var modules = g.named_modules().Concat(d.named_modules()).Select(m => m.module).ToList();
        var convWeights = cat(modules.Select(m => m switch
        {
            Conv2d c => c.weight!.flatten(),
            ConvTranspose2d t => t.weight!.flatten(),
            _ => null,
        }).OfType<Tensor>().ToList(), 0);
        Assert.InRange(convWeights.mean().item<float>(), -1e-3f, 1e-3f);
        Assert.InRange(convWeights.std().item<float>(), 0.0195f, 0.0205f);
        var norms = modules.OfType<BatchNorm2d>().ToList();
        var bnWeights = cat(norms.Select(n => n.weight!.flatten()).ToList(), 0);
        var bnBiases = cat(norms.Select(n => n.bias!.flatten()).ToList(), 0);
        Assert.InRange(bnWeights.mean().item<float>(), 0.997f, 1.003f);
        Assert.InRange(bnWeights.std().item<float>(), 0.017f, 0.023f);
        Assert.Equal(0f, bnBiases.abs().max().item<float>());
    }

    [Theory]
    [InlineData(48, 0, 100)]
    [InlineData(64, -1, 100)]
    [InlineData(64, 0, 0)]
    public void Bad_specs_are_refused_with_a_reason(int resolution, int labelDim, int latentDim)
    {
        var ex = Assert.Throws<TrainingException>(() =>
            GanNetworks.CreateGenerator(new NetworkSpec(ModelKind.Dcgan, resolution, labelDim, latentDim)));
        Assert.StartsWith("bad-", ex.Code);
    }
}
