using SkiaSharp;

namespace Atelier.Imaging.Tests;

public class ProbeTests
{
    [Fact]
    public void Jpeg_header_gives_format_size_and_no_alpha()
    {
        var bytes = TestImages.Encode(TestImages.Quadrants(40, 30), SKEncodedImageFormat.Jpeg);
        var info = ImageProbe.Read(bytes);
        Assert.Equal(new ImageInfo(ImageFormat.Jpeg, 40, 30, 1, false, false, 8, 1, null, false, false), info);
    }

    [Fact]
    public void Png_with_alpha_reports_alpha_and_span_overload_agrees()
    {
        var bytes = TestImages.Encode(TestImages.Quadrants(20, 10, alpha: 128), SKEncodedImageFormat.Png);
        var info = ImageProbe.Read(bytes.AsSpan());
        Assert.Equal(ImageFormat.Png, info.Format);
        Assert.True(info.HasAlpha);
        Assert.Equal((20, 10), (info.Width, info.Height));
        Assert.Equal(info, ImageProbe.Read(bytes));
    }

    [Fact]
    public void Only_a_whole_png_of_pixel_chunks_counts_as_bare()
    {
        var png = TestImages.Encode(TestImages.Quadrants(40, 30), SKEncodedImageFormat.Png);
        Assert.True(ImageProbe.IsBarePng(png));

        // A tEXt chunk (a comment, an author) right after IHDR: no longer bare.
        byte[] text = [0, 0, 0, 5, .. "tEXt"u8, .. "a\0bcd"u8, 0, 0, 0, 0];
        Assert.False(ImageProbe.IsBarePng([.. png.AsSpan(0, 33), .. text, .. png.AsSpan(33)]));
        Assert.False(ImageProbe.IsBarePng(png.AsSpan(0, png.Length - 12)));                  // no IEND
        var lying = (byte[])png.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(lying.AsSpan(33), uint.MaxValue); // a chunk longer than the file
        Assert.False(ImageProbe.IsBarePng(lying));
        Assert.False(ImageProbe.IsBarePng(TestImages.Encode(TestImages.Quadrants(40, 30), SKEncodedImageFormat.Jpeg)));
    }

    [Fact]
    public void Webp_still_image_has_one_frame()
    {
        var info = ImageProbe.Read(TestImages.Encode(TestImages.Quadrants(24, 16), SKEncodedImageFormat.Webp, 90));
        Assert.Equal((ImageFormat.Webp, 24, 16, 1), (info.Format, info.Width, info.Height, info.FrameCount));
    }

    [Theory]
    [InlineData("animated.gif", ImageFormat.Gif, 2)]
    [InlineData("animated.webp", ImageFormat.Webp, 2)]
    [InlineData("yellow.bmp", ImageFormat.Bmp, 1)]
    public void Fixture_formats_and_frame_counts(string file, ImageFormat format, int frames)
    {
        var info = ImageProbe.Read(TestImages.Fixture(file));
        Assert.Equal(format, info.Format);
        Assert.Equal(frames, info.FrameCount);
    }

    [Theory]
    [InlineData("rgb16.png", false)]
    [InlineData("rgba16.png", true)]
    public void Sixteen_bit_png_reports_16_bits(string file, bool alpha)
    {
        var info = ImageProbe.Read(TestImages.Fixture(file));
        Assert.Equal(16, info.BitsPerChannel);
        Assert.Equal(alpha, info.HasAlpha);
        Assert.Equal((16, 12), (info.Width, info.Height));
    }

    [Fact]
    public void Orientation_is_read_and_display_size_swaps()
    {
        var info = ImageProbe.Read(TestImages.Fixture("orientation6.jpg"));
        Assert.Equal(6, info.Orientation);
        Assert.Equal((64, 32), (info.Width, info.Height));
        Assert.Equal((32, 64), (info.DisplayWidth, info.DisplayHeight));
        Assert.Equal(8, ImageProbe.Read(TestImages.Fixture("orientation8.jpg")).Orientation);
    }

    [Fact]
    public void Gps_and_capture_date_are_found()
    {
        var info = ImageProbe.Read(TestImages.Fixture("gps.jpg"));
        Assert.True(info.HasGps);
        Assert.Equal(new DateTime(2021, 6, 15, 10, 20, 30), info.CaptureDate);
        Assert.False(ImageProbe.Read(TestImages.Fixture("orientation6.jpg")).HasGps);
    }

    [Theory]
    [InlineData("dmi-prohibited.jpg", true)]
    [InlineData("dmi-prohibited-aimltraining.jpg", true)]
    [InlineData("dmi-allowed.jpg", false)]
    [InlineData("gps.jpg", false)]
    public void Xmp_plus_data_mining_prohibition_is_detected(string file, bool prohibited)
    {
        Assert.Equal(prohibited, ImageProbe.Read(TestImages.Fixture(file)).DataMiningProhibited);
    }

    [Fact]
    public void Embedded_icc_profile_is_reported()
    {
        var withProfile = TestImages.Encode(TestImages.Quadrants(8, 8), SKEncodedImageFormat.Png, colorSpace: SKColorSpace.CreateRgb(SKColorSpaceTransferFn.Srgb, SKColorSpaceXyz.DisplayP3));
        var without = TestImages.Encode(TestImages.Quadrants(8, 8), SKEncodedImageFormat.Png);
        Assert.True(ImageProbe.Read(withProfile).HasColorProfile);
        Assert.False(ImageProbe.Read(without).HasColorProfile);
    }

    [Fact]
    public void Cmyk_jpeg_is_probed()
    {
        var info = ImageProbe.Read(TestImages.Fixture("cmyk.jpg"));
        Assert.Equal((ImageFormat.Jpeg, 40, 30), (info.Format, info.Width, info.Height));
    }

    [Fact]
    public void Parallel_probes_agree()
    {
        var bytes = TestImages.Fixture("gps.jpg");
        var expected = ImageProbe.Read(bytes);
        var results = new ImageInfo[32];
        Parallel.For(0, results.Length, i => results[i] = ImageProbe.Read(bytes));
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
