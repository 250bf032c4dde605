namespace Atelier.Imaging.Tests;

public class QualityTests
{
    [Fact]
    public void Sharp_checkerboard_has_far_more_laplacian_variance_than_a_blurred_one()
    {
        var sharp = TestImages.Checkerboard(256, 4);
        var blurred = ImageResizer.Resize(ImageResizer.Resize(sharp, 32, 32), 256, 256);
        double s = QualityMeasures.Measure(sharp).BlurVariance;
        double b = QualityMeasures.Measure(blurred).BlurVariance;
        Assert.True(s > 20 * b, $"sharp {s}, blurred {b}");
    }

    [Fact]
    public void Blur_variance_is_comparable_across_sizes()
    {
        // The same scene at 2048 and 1024 px is measured on the same 512 px working size;
        // at full size the variance would differ by the 4x difference in edge density.
        var big = QualityMeasures.Measure(TestImages.Checkerboard(2048, 32)).BlurVariance;
        var small = QualityMeasures.Measure(TestImages.Checkerboard(1024, 16)).BlurVariance;
        Assert.InRange(big / small, 0.8, 1.25);
    }

    [Fact]
    public void Dark_and_bright_images_are_told_apart()
    {
        var dark = QualityMeasures.Measure(RgbaImage.Filled(64, 64, 5, 5, 5));
        var bright = QualityMeasures.Measure(RgbaImage.Filled(64, 64, 250, 250, 250));
        Assert.Equal((5.0, 1.0, 0.0), (dark.MeanLuma, dark.DarkFraction, dark.BrightFraction));
        Assert.Equal((250.0, 0.0, 1.0), (bright.MeanLuma, bright.DarkFraction, bright.BrightFraction));
    }

    [Fact]
    public void Flat_image_has_zero_entropy_and_noise_has_nearly_eight_bits()
    {
        var flat = QualityMeasures.Measure(RgbaImage.Filled(128, 128, 90, 120, 200));
        Assert.Equal(0.0, flat.Entropy);
        Assert.Equal(0.0, flat.BlurVariance);
        var noisy = RgbaImage.Filled(256, 256, 0, 0, 0);
        var rng = new Random(4);
        for (int i = 0; i < noisy.Pixels.Length; i += 4)
        {
            noisy.Pixels[i] = noisy.Pixels[i + 1] = noisy.Pixels[i + 2] = (byte)rng.Next(256);
        }

        Assert.InRange(QualityMeasures.Measure(noisy).Entropy, 7.9, 8.0);
    }

    [Fact]
    public void Transparent_pixels_count_as_white()
    {
        var q = QualityMeasures.Measure(RgbaImage.Filled(16, 16, 0, 0, 0, 0));
        Assert.Equal(255.0, q.MeanLuma);
        Assert.Equal(1.0, q.BrightFraction);
    }
}
