using Atelier.Training.Augmentation;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class AugmentationTests
{
    public AugmentationTests() => Nets.Load();

    static Tensor Images(int b = 8, int r = 32) => rand(b, 3, r, r) * 2 - 1;

    [Fact]
    public void Probability_zero_returns_the_input_unchanged()
    {
        using var scope = NewDisposeScope();
        var x = Images();
        Assert.Same(x, new DiffAugment().Apply(x, 0));
    }

    [Theory]
    [InlineData("color")]
    [InlineData("translation")]
    [InlineData("cutout")]
    [InlineData("color,translation,cutout")]
    public void Probability_one_changes_images_and_lets_gradients_through(string policy)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = Images(16).requires_grad_(true);
        var y = new DiffAugment(policy).Apply(x, 1);
        Assert.Equal(x.shape, y.shape);
        var changed = ((y - x).abs().amax([1, 2, 3]) > 1e-6f).sum().item<long>();
        Assert.True(changed >= 14, $"only {changed} of 16 images changed");   // translation may draw (0,0) now and then
        (y * y).sum().backward();
        Assert.True(x.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void Colour_keeps_a_grey_image_grey_and_shifts_it_by_at_most_half()
    {
        using var scope = NewDisposeScope();
        var grey = full(64, 3, 8, 8, 0.1f);
        var y = new DiffAugment("color").Apply(grey, 1);
        // Saturation and contrast leave a flat grey image alone; brightness adds U(-0.5, 0.5).
        var perImage = y.view(64, -1);
        Assert.True((perImage.amax(1) - perImage.amin(1)).max().item<float>() < 1e-5f);
        var shift = perImage[.., 0] - 0.1f;
        Assert.True(shift.abs().max().item<float>() <= 0.5f);
        Assert.True(shift.std().item<float>() > 0.15f);   // U(-0.5,0.5) has std 0.29
    }

    [Fact]
    public void Translation_moves_a_dot_by_at_most_an_eighth_of_the_side()
    {
        using var scope = NewDisposeScope();
        var x = zeros(32, 3, 32, 32);
        x[.., .., 16, 16] = 1f;
        var y = new DiffAugment("translation").Apply(x, 1);
        var moved = 0;
        for (int i = 0; i < 32; i++)
        {
            var ones = nonzero(y[i, 0]);
            Assert.Equal(1, ones.shape[0]);   // the dot stays whole: 16 +- 4 is inside the image
            long dy = ones[0, 0].item<long>() - 16, dx = ones[0, 1].item<long>() - 16;
            Assert.InRange(dy, -4, 4);
            Assert.InRange(dx, -4, 4);
            if (dy != 0 || dx != 0) moved++;
        }
        Assert.True(moved >= 28);
    }

    [Fact]
    public void Translation_fills_with_zeros()
    {
        using var scope = NewDisposeScope();
        var y = new DiffAugment("translation").Apply(ones(32, 3, 32, 32), 1);
        var zeroPixels = (y[.., 0] == 0).sum([1, 2]);
        // A shift of (dy, dx) leaves 32*|dy| + 32*|dx| - |dy*dx| zero pixels; at most 4 rows and 4 columns.
        Assert.True(zeroPixels.max().item<long>() <= 32 * 8);
        Assert.True(zeroPixels.sum().item<long>() > 0);
    }

    [Fact]
    public void Cutout_zeroes_at_most_a_half_side_square()
    {
        using var scope = NewDisposeScope();
        var y = new DiffAugment("cutout").Apply(ones(64, 3, 32, 32), 1);
        var holes = (y[.., 0] == 0).sum([1, 2]);
        Assert.True(holes.max().item<long>() <= 16 * 16);
        Assert.True(holes.min().item<long>() >= 8 * 8);   // the centre is inside, so at least a quarter stays
        Assert.True(((y == 0) | (y == 1)).all().item<bool>());
    }

    [Fact]
    public void Each_sample_is_augmented_with_probability_p()
    {
        using var scope = NewDisposeScope();
        var x = full(2000, 3, 4, 4, 0.1f);
        var y = new DiffAugment("color").Apply(x, 0.3);
        double changed = ((y - x).abs().amax([1, 2, 3]) > 1e-6f).to(float32).mean().item<float>();
        Assert.InRange(changed, 0.25, 0.35);
    }

    [Fact]
    public void Same_torch_seed_gives_the_same_augmentation()
    {
        using var scope = NewDisposeScope();
        var x = Images();
        var augment = new DiffAugment();
        manual_seed(11);
        var a = augment.Apply(x, 0.5);
        manual_seed(11);
        var b = augment.Apply(x, 0.5);
        Assert.True(Nets.Identical(a, b));
    }

    [Fact]
    public void Unknown_policy_and_bad_probability_are_refused()
    {
        Assert.Equal("bad-augment-policy", Assert.Throws<TrainingException>(() => new DiffAugment("color,rotate")).Code);
        using var x = Images(1);
        Assert.Equal("bad-augment-probability", Assert.Throws<TrainingException>(() => new DiffAugment().Apply(x, 1.5)).Code);
    }

    [Fact]
    public void Adaptive_p_rises_when_d_is_confident_on_reals()
    {
        using var ada = new AdaptiveAugment(target: 0.6, intervalSteps: 4, speedKimg: 100);
        using var confident = tensor(new[] { 2f, 1f, 3f, 0.5f });
        for (int i = 0; i < 3; i++) { ada.Observe(confident); ada.Step(16); }
        Assert.Equal(0, ada.P);   // not adjusted before the interval ends
        ada.Observe(confident); ada.Step(16);
        Assert.Equal(1.0, ada.LastRt);
        Assert.Equal(16.0 * 4 / 100_000, ada.P, 12);
    }

    [Fact]
    public void Adaptive_p_falls_when_d_is_not_over_confident_and_clamps_at_zero()
    {
        using var ada = new AdaptiveAugment(target: 0.6, intervalSteps: 1, speedKimg: 1, initialP: 0.1);
        using var mixed = tensor(new[] { 1f, -1f, 2f, 3f });   // r_t = 0.5 < 0.6
        ada.Observe(mixed); ada.Step(32);
        Assert.Equal(0.5, ada.LastRt);
        Assert.Equal(0.1 - 32.0 / 1000, ada.P, 12);
        for (int i = 0; i < 5; i++) { ada.Observe(mixed); ada.Step(32); }
        Assert.Equal(0, ada.P);
    }

    [Fact]
    public void Adaptive_p_stays_below_one()
    {
        using var ada = new AdaptiveAugment(intervalSteps: 1, speedKimg: 1, initialP: 0.99);
        using var confident = ones(8);
        for (int i = 0; i < 5; i++) { ada.Observe(confident); ada.Step(64); }
        Assert.True(ada.P < 1 && ada.P > 0.99);
        ada.P = 7;
        Assert.True(ada.P < 1);
        ada.P = -1;
        Assert.Equal(0, ada.P);
    }
}
