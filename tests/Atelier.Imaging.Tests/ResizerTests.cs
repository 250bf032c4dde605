using SkiaSharp;

namespace Atelier.Imaging.Tests;

public class ResizerTests
{
    [Fact]
    public void Resize_is_deterministic()
    {
        var src = TestImages.Noise(300, 200, 11);
        var a = ImageResizer.Resize(src, 97, 61);
        var b = ImageResizer.Resize(src, 97, 61);
        Assert.Equal((97, 61), (a.Width, a.Height));
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.Equal(ImageEncoder.EncodePng(a), ImageEncoder.EncodePng(b));
    }

    [Fact]
    public void Downscaling_a_fine_checkerboard_averages_to_grey_instead_of_aliasing()
    {
        var img = ImageResizer.Resize(TestImages.Checkerboard(512, 1), 37, 37);
        for (int i = 0; i < img.Pixels.Length; i += 4)
        {
            Assert.InRange(img.Pixels[i], 118, 138);
        }
    }

    [Fact]
    public void Transparent_pixels_do_not_bleed_colour()
    {
        // Left half opaque red, right half fully transparent green: the edge must stay red, not brown.
        var src = RgbaImage.Filled(64, 8, 0, 255, 0, 0);
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 32; x++)
            {
                int i = (y * 64 + x) * 4;
                (src.Pixels[i], src.Pixels[i + 1], src.Pixels[i + 3]) = ((byte)255, (byte)0, (byte)255);
            }
        }

        var img = ImageResizer.Resize(src, 16, 2);
        var edge = img.GetPixel(8, 1);
        Assert.InRange(edge.A, 1, 254);
        TestImages.AssertColor(edge, 255, 0, 0, 2);
    }

    [Fact]
    public void Thumbnail_keeps_aspect_and_never_upscales()
    {
        var t = ImageResizer.Thumbnail(TestImages.Quadrants(1000, 500), 256);
        Assert.Equal((256, 128), (t.Width, t.Height));
        var small = ImageResizer.Thumbnail(TestImages.Quadrants(100, 50), 256);
        Assert.Equal((100, 50), (small.Width, small.Height));
        var tall = ImageResizer.Thumbnail(TestImages.Quadrants(300, 900), 90);
        Assert.Equal((30, 90), (tall.Width, tall.Height));
    }

    [Fact]
    public void Fit_crop_takes_the_centre_square()
    {
        // 300x100: left third red, middle green, right third blue. The crop keeps only green.
        var src = RgbaImage.Filled(300, 100, 0, 0, 0);
        for (int i = 0; i < src.Pixels.Length; i += 4)
        {
            int x = (i / 4) % 300;
            src.Pixels[i + (x < 100 ? 0 : x < 200 ? 1 : 2)] = 255;
        }

        var fit = ImageResizer.Fit(src, 64, FitMode.Crop, Rgb.Black);
        Assert.Equal((64, 64), (fit.Width, fit.Height));
        TestImages.AssertColor(fit.GetPixel(0, 32), 0, 255, 0, 10);
        TestImages.AssertColor(fit.GetPixel(63, 32), 0, 255, 0, 10);
    }

    [Fact]
    public void Fit_pad_letterboxes_with_the_background()
    {
        var src = RgbaImage.Filled(200, 100, 255, 0, 0);
        var fit = ImageResizer.Fit(src, 64, FitMode.Pad, new Rgb(0, 0, 255));
        Assert.Equal((64, 64), (fit.Width, fit.Height));
        TestImages.AssertColor(fit.GetPixel(32, 2), 0, 0, 255, 0);    // bar above
        TestImages.AssertColor(fit.GetPixel(32, 61), 0, 0, 255, 0);   // bar below
        TestImages.AssertColor(fit.GetPixel(32, 32), 255, 0, 0, 0);   // content
        TestImages.AssertColor(fit.GetPixel(0, 20), 255, 0, 0, 0);    // content touches the sides
        Assert.Equal(32, CountRows(fit, p => p.R == 255 && p.B == 0));
    }

    [Theory]
    [InlineData(FitMode.Crop)]
    [InlineData(FitMode.Pad)]
    public void Fit_composites_alpha_over_the_background_and_is_opaque(FitMode mode)
    {
        var src = RgbaImage.Filled(50, 50, 255, 0, 0, 128); // half-transparent red
        var fit = ImageResizer.Fit(src, 20, mode, Rgb.White);
        for (int i = 0; i < fit.Pixels.Length; i += 4)
        {
            Assert.Equal(255, fit.Pixels[i + 3]);
        }

        TestImages.AssertColor(fit.GetPixel(10, 10), 255, 127, 127, 2);
    }

    private static int CountRows(RgbaImage img, Func<(byte R, byte G, byte B, byte A), bool> predicate)
    {
        int rows = 0;
        for (int y = 0; y < img.Height; y++)
        {
            rows += predicate(img.GetPixel(img.Width / 2, y)) ? 1 : 0;
        }

        return rows;
    }
}
