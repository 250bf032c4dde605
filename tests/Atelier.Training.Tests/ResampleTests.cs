using Atelier.Training.Networks;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class ResampleTests
{
    public ResampleTests() => Nets.Load();

    [Fact]
    public void Up_equals_bilinear_interpolation()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 5, 7, 6);
        var expected = nn.functional.interpolate(x, scale_factor: [2, 2], mode: InterpolationMode.Bilinear, align_corners: false);
        var actual = Resample.Up(x);
        Assert.Equal(new long[] { 2, 5, 14, 12 }, actual.shape);
        Assert.True((actual - expected).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void Down_halves_the_side_keeps_flat_areas_and_averages_a_checkerboard_away()
    {
        using var scope = NewDisposeScope();
        var flat = Resample.Down(full(1, 2, 8, 8, 3f));
        Assert.Equal(new long[] { 1, 2, 4, 4 }, flat.shape);
        // Interior outputs see only the image; border ones also see the zero padding.
        Assert.True((flat[.., .., 1..3, 1..3] - 3f).abs().max().item<float>() < 1e-5f);
        // A 1-pixel checkerboard is the highest frequency: antialiasing removes it, plain decimation would not.
        var checker = ((arange(8).view(8, 1) + arange(8).view(1, 8)) % 2).to(float32) * 2 - 1;
        var down = Resample.Down(checker.view(1, 1, 8, 8));
        Assert.True(down[.., .., 1..3, 1..3].abs().max().item<float>() < 1e-5f);
    }
}
