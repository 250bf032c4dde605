using SkiaSharp;

namespace Atelier.Imaging.Tests;

public class DecoderTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void Synthesized_formats_decode_to_the_right_pixels(SKEncodedImageFormat format)
    {
        var img = ImageDecoder.Decode(TestImages.Encode(TestImages.Quadrants(64, 48), format, 95));
        Assert.Equal((64, 48), (img.Width, img.Height));
        Assert.Equal(64 * 48 * 4, img.Pixels.Length);
        TestImages.AssertColor(img.GetPixel(8, 8), 255, 0, 0);
        TestImages.AssertColor(img.GetPixel(56, 8), 0, 255, 0);
        TestImages.AssertColor(img.GetPixel(8, 40), 0, 0, 255);
        TestImages.AssertColor(img.GetPixel(56, 40), 255, 255, 255);
    }

    [Fact]
    public void Png_alpha_stays_unpremultiplied()
    {
        var img = ImageDecoder.Decode(TestImages.Encode(TestImages.Quadrants(16, 16, alpha: 64), SKEncodedImageFormat.Png));
        Assert.Equal((byte)255, img.GetPixel(2, 2).R);
        Assert.Equal((byte)64, img.GetPixel(2, 2).A);
    }

    [Fact]
    public void Sixteen_bit_png_becomes_8_bit_with_alpha_kept()
    {
        var img = ImageDecoder.Decode(TestImages.Fixture("rgba16.png"));
        Assert.Equal(16 * 12 * 4, img.Pixels.Length);
        Assert.InRange(img.GetPixel(0, 0).A, 120, 135);
        TestImages.AssertColor(img.GetPixel(8, 0), 255, 255, 255, 20);   // gradient starts white
        TestImages.AssertColor(img.GetPixel(8, 11), 0, 0, 128, 30);      // and ends navy
    }

    [Fact]
    public void Gif_and_animated_webp_give_the_first_frame()
    {
        TestImages.AssertColor(ImageDecoder.Decode(TestImages.Fixture("animated.gif")).GetPixel(8, 8), 255, 0, 0, 5);
        TestImages.AssertColor(ImageDecoder.Decode(TestImages.Fixture("animated.webp")).GetPixel(8, 8), 255, 0, 0, 5);
    }

    [Fact]
    public void Bmp_decodes()
    {
        var img = ImageDecoder.Decode(TestImages.Fixture("yellow.bmp"));
        Assert.Equal((20, 10), (img.Width, img.Height));
        TestImages.AssertColor(img.GetPixel(19, 9), 255, 255, 0, 0);
    }

    [Fact]
    public void Cmyk_jpeg_decodes_to_rgb()
    {
        var img = ImageDecoder.Decode(TestImages.Fixture("cmyk.jpg"));
        Assert.Equal((40, 30), (img.Width, img.Height));
        TestImages.AssertColor(img.GetPixel(20, 0), 255, 0, 0, 50);    // gradient:red-blue runs top to bottom
        TestImages.AssertColor(img.GetPixel(20, 29), 0, 0, 255, 50);
    }

    [Fact]
    public void Orientation_6_rotates_clockwise()
    {
        // Stored 64x32: TL red, TR green, BL blue, BR white. Rotated 90° clockwise for display.
        var img = ImageDecoder.Decode(TestImages.Fixture("orientation6.jpg"));
        Assert.Equal((32, 64), (img.Width, img.Height));
        TestImages.AssertColor(img.GetPixel(8, 8), 0, 0, 255);      // top-left: stored bottom-left
        TestImages.AssertColor(img.GetPixel(24, 8), 255, 0, 0);     // top-right: stored top-left
        TestImages.AssertColor(img.GetPixel(8, 56), 255, 255, 255); // bottom-left: stored bottom-right
        TestImages.AssertColor(img.GetPixel(24, 56), 0, 255, 0);    // bottom-right: stored top-right
    }

    [Fact]
    public void Orientation_8_rotates_counter_clockwise()
    {
        var img = ImageDecoder.Decode(TestImages.Fixture("orientation8.jpg"));
        Assert.Equal((32, 64), (img.Width, img.Height));
        TestImages.AssertColor(img.GetPixel(8, 8), 0, 255, 0);      // top-left: stored top-right
        TestImages.AssertColor(img.GetPixel(24, 8), 255, 255, 255); // top-right: stored bottom-right
        TestImages.AssertColor(img.GetPixel(8, 56), 255, 0, 0);     // bottom-left: stored top-left
        TestImages.AssertColor(img.GetPixel(24, 56), 0, 0, 255);    // bottom-right: stored bottom-left
    }

    [Fact]
    public void Orientation_can_be_left_as_stored()
    {
        var img = ImageDecoder.Decode(TestImages.Fixture("orientation6.jpg"), new DecodeOptions { ApplyOrientation = false });
        Assert.Equal((64, 32), (img.Width, img.Height));
        TestImages.AssertColor(img.GetPixel(8, 8), 255, 0, 0);
    }

    [Fact]
    public void MaxSide_uses_dct_scaling_but_never_goes_below_the_hint()
    {
        var bytes = TestImages.Encode(TestImages.Quadrants(2000, 1504), SKEncodedImageFormat.Jpeg, 85);
        var scaled = ImageDecoder.Decode(bytes, new DecodeOptions { MaxSide = 256 });
        Assert.Equal((500, 376), (scaled.Width, scaled.Height)); // 1/8 would be 250 < 256, so 1/4
        TestImages.AssertColor(scaled.GetPixel(100, 80), 255, 0, 0);
        TestImages.AssertColor(scaled.GetPixel(400, 300), 255, 255, 255);

        var tiny = ImageDecoder.Decode(bytes, new DecodeOptions { MaxSide = 200 });
        Assert.Equal((250, 188), (tiny.Width, tiny.Height));
        var full = ImageDecoder.Decode(bytes, new DecodeOptions { MaxSide = 4000 });
        Assert.Equal((2000, 1504), (full.Width, full.Height));
    }

    [Fact]
    public void MaxSide_does_not_scale_png()
    {
        var bytes = TestImages.Encode(TestImages.Quadrants(600, 300), SKEncodedImageFormat.Png);
        var img = ImageDecoder.Decode(bytes, new DecodeOptions { MaxSide = 64 });
        Assert.Equal((600, 300), (img.Width, img.Height));
    }

    [Fact]
    public void Parallel_decodes_agree()
    {
        var bytes = TestImages.Encode(TestImages.Noise(128, 96, 7), SKEncodedImageFormat.Jpeg, 80);
        var expected = ImageDecoder.Decode(bytes).Pixels;
        var results = new byte[16][];
        Parallel.For(0, results.Length, i => results[i] = ImageDecoder.Decode(bytes).Pixels);
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
