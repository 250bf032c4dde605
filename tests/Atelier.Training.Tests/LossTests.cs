using Atelier.Training.Losses;
using Atelier.Training.Networks;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class LossTests
{
    const int R = 32;
    public LossTests() => Nets.Load();

    static Tensor NoLabels(int b) => zeros(b, 0);

    [Fact]
    public void Bce_losses_match_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        using var d = LinearDiscriminator.Mean(R);
        var loss = GanLosses.For(ModelKind.Dcgan, LossSettings.Default(ModelKind.Dcgan));
        var real = LinearDiscriminator.Constant(R, 1f, -0.5f);
        var fake = LinearDiscriminator.Constant(R, 0.2f, -1f);
        // D: mean softplus(-real) + mean softplus(fake); G: mean softplus(-fake), with softplus = ln(1 + e^x).
        var dTerms = loss.DiscriminatorLoss(d, real, fake, NoLabels(2), regularize: true);
        Assert.Equal(1.199369614, dTerms.Total.item<float>(), 5);
        Assert.Equal(1.199369614, dTerms.Parts[LossParts.DiscriminatorLoss], 5);
        Assert.Equal(0.25, dTerms.Parts[LossParts.RealLogits], 5);
        Assert.Equal(-0.4, dTerms.Parts[LossParts.FakeLogits], 5);
        Assert.Equal(new[] { 1f, -0.5f }, dTerms.RealLogits!.data<float>().ToArray().Select(v => MathF.Round(v, 5)));
        Assert.False(dTerms.RealLogits!.requires_grad);
        Assert.False(dTerms.Parts.ContainsKey(LossParts.R1));
        var gTerms = loss.GeneratorLoss(d, real, fake, NoLabels(2));
        Assert.Equal(0.955700278, gTerms.Total.item<float>(), 5);
        Assert.Equal(0.955700278, gTerms.Parts[LossParts.GeneratorLoss], 5);
        Assert.Equal("dcgan", loss.Name);
    }

    [Fact]
    public void Relativistic_losses_pair_each_real_with_a_fake()
    {
        using var scope = NewDisposeScope();
        using var d = LinearDiscriminator.Mean(R);
        var loss = GanLosses.For(ModelKind.Modern, new LossSettings(0, 0, 1));
        var real = LinearDiscriminator.Constant(R, 1f, -0.5f);
        var fake = LinearDiscriminator.Constant(R, 0.2f, -1f);
        // D: mean softplus(fake - real) = (softplus(-0.8) + softplus(-0.5)) / 2; G: the opposite sign.
        var dTerms = loss.DiscriminatorLoss(d, real, fake, NoLabels(2), regularize: false);
        Assert.Equal(0.422588825, dTerms.Total.item<float>(), 5);
        var gTerms = loss.GeneratorLoss(d, real, fake, NoLabels(2));
        Assert.Equal(1.072588825, gTerms.Total.item<float>(), 5);
        Assert.Equal(1.072588825, gTerms.Parts[LossParts.GeneratorLoss], 5);
        Assert.Equal(0.25, gTerms.Parts[LossParts.RealLogits], 5);
        Assert.NotNull(gTerms.RealLogits);
        Assert.Equal("modern", loss.Name);
    }

    [Theory]
    [InlineData(3.0, 0.0)]
    [InlineData(0.0, 5.0)]
    [InlineData(2.0, 2.0)]
    public void R1_and_R2_on_a_linear_d_equal_half_gamma_times_the_weight_norm_scaled_by_the_interval(double r1, double r2)
    {
        using var scope = NewDisposeScope();
        const int interval = 4;
        manual_seed(7);
        using var d = new LinearDiscriminator(randn(3, R, R) * 0.01);
        double normSquared = d.Weight.square().sum().item<float>();
        var loss = GanLosses.For(ModelKind.Modern, new LossSettings(r1, r2, interval));
        var real = rand(3, 3, R, R) * 2 - 1;
        var fake = rand(3, 3, R, R) * 2 - 1;

        var plain = loss.DiscriminatorLoss(d, real, fake, NoLabels(3), regularize: false);
        plain.Total.backward();
        var plainGrad = d.Weight.grad!.clone();
        d.zero_grad();
        var lazy = loss.DiscriminatorLoss(d, real, fake, NoLabels(3), regularize: true);
        lazy.Total.backward();
        var lazyGrad = d.Weight.grad!.clone();

        // dD/dx = w for every image, so each penalty is gamma/2 * ||w||^2.
        if (r1 > 0) Assert.Equal(r1 / 2 * normSquared, lazy.Parts[LossParts.R1], 4);
        else Assert.False(lazy.Parts.ContainsKey(LossParts.R1));
        if (r2 > 0) Assert.Equal(r2 / 2 * normSquared, lazy.Parts[LossParts.R2], 4);
        else Assert.False(lazy.Parts.ContainsKey(LossParts.R2));
        Assert.False(plain.Parts.ContainsKey(LossParts.R1) || plain.Parts.ContainsKey(LossParts.R2));
        double expectedExtra = interval * (r1 + r2) / 2 * normSquared;
        Assert.Equal(plain.Total.item<float>() + expectedExtra, lazy.Total.item<float>(), 4);
        // The penalty is differentiable: it adds interval * (r1 + r2) * w to D's gradient.
        var extraGrad = lazyGrad - plainGrad;
        var expectedGrad = d.Weight.detach() * (interval * (r1 + r2));
        Assert.True((extraGrad - expectedGrad).abs().max().item<float>() < 1e-5f);
    }

    [Theory]
    [InlineData(ModelKind.Dcgan)]
    [InlineData(ModelKind.Modern)]
    public void Penalised_steps_backpropagate_through_the_real_networks(ModelKind kind)
    {
        using var scope = NewDisposeScope();
        var spec = Nets.Spec(kind, 32, 2, 0.25);
        using var d = GanNetworks.CreateDiscriminator(spec);
        var loss = GanLosses.For(kind, new LossSettings(1, 1, 2));
        var labels = Nets.OneHot(4, 2);
        var terms = loss.DiscriminatorLoss(d, rand(4, 3, 32, 32) * 2 - 1, rand(4, 3, 32, 32) * 2 - 1, labels, regularize: true);
        terms.Total.backward();
        Assert.True(terms.Parts[LossParts.R1] > 0 && terms.Parts[LossParts.R2] > 0);
        Assert.True(float.IsFinite(terms.Total.item<float>()));
        Assert.All(d.parameters(), p => Assert.NotNull(p.grad));
    }

    [Fact]
    public void Bad_settings_are_refused()
    {
        Assert.Equal("bad-regularization-interval",
            Assert.Throws<TrainingException>(() => GanLosses.For(ModelKind.Modern, new LossSettings(1, 1, 0))).Code);
        Assert.Equal("bad-gamma",
            Assert.Throws<TrainingException>(() => GanLosses.For(ModelKind.Modern, new LossSettings(-1, 1, 1))).Code);
    }
}
