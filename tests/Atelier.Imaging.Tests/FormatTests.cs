using System.Buffers.Binary;
using System.Text;

namespace Atelier.Imaging.Tests;

/// <summary>
/// TIFF, AVIF, HEIC, ICO and Netpbm: each decodes to the pixels of the same picture as PNG (Fixtures/make-formats.sh),
/// and each kind of damage gets the reason code JPEG and PNG get.
/// </summary>
public class FormatTests
{
    private static RgbaImage Reference => ImageDecoder.Decode(TestImages.Fixture("quads.png"));

    [Theory]
    [InlineData("quads.tif", ImageFormat.Tiff)]
    [InlineData("quads.avif", ImageFormat.Avif)]
    [InlineData("quads.ppm", ImageFormat.Netpbm)]
    [InlineData("quads-ascii.ppm", ImageFormat.Netpbm)]
    public void Lossless_files_decode_to_exactly_the_png_pixels(string fixture, ImageFormat format)
    {
        var bytes = TestImages.Fixture(fixture);
        var image = ImageDecoder.Decode(bytes);
        Assert.Equal(Reference.Pixels, image.Pixels);
        var info = ImageProbe.Read(bytes);
        Assert.Equal((format, 32, 24, 1, false, 1), (info.Format, info.Width, info.Height, info.Orientation, info.HasAlpha, info.FrameCount));
        Assert.Equal(format, ImageFormats.Sniff(bytes));
    }

    [Fact]
    public void Heic_decodes_close_to_the_png_pixels()
    {
        var bytes = TestImages.Fixture("quads-64.heic");
        var image = ImageDecoder.Decode(bytes);
        Assert.Equal((64, 48), (image.Width, image.Height));
        // Lossy HEVC: compare the middle of each quadrant, away from the blurred edges.
        foreach (var (x, y) in new[] { (8, 6), (24, 6), (8, 18), (24, 18) })
        {
            var want = Reference.GetPixel(x, y);
            var got = image.GetPixel(x * 2, y * 2);
            Assert.True(Math.Abs(want.R - got.R) <= 12 && Math.Abs(want.G - got.G) <= 12 && Math.Abs(want.B - got.B) <= 12 && got.A == 255,
                $"At ({x},{y}) the PNG has {want}, the HEIC {got}.");
        }

        var info = ImageProbe.Read(bytes);
        Assert.Equal((ImageFormat.Heic, 64, 48, 8), (info.Format, info.Width, info.Height, info.BitsPerChannel));
        Assert.Equal(ImageFormat.Heic, ImageFormats.Sniff(bytes));
    }

    [Theory]
    [InlineData("quads-alpha.tif")]
    [InlineData("quads-alpha.avif")]
    [InlineData("quads-alpha.ico")]
    public void Alpha_is_kept_unpremultiplied(string fixture)
    {
        var bytes = TestImages.Fixture(fixture);
        var image = ImageDecoder.Decode(bytes);
        Assert.True(ImageProbe.Read(bytes).HasAlpha);
        foreach (var (x, y) in new[] { (8, 6), (24, 6), (8, 18), (24, 18) })
        {
            var want = Reference.GetPixel(x, y);
            var got = image.GetPixel(x, y);
            Assert.Equal((want.R, want.G, want.B), (got.R, got.G, got.B));
            Assert.InRange(got.A, 127, 128); // 50 % as written
        }
    }

    [Fact]
    public void Ico_gives_its_largest_image_through_skia()
    {
        var bytes = TestImages.Fixture("quads-2sizes.ico");
        var image = ImageDecoder.Decode(bytes);
        Assert.Equal(Reference.Pixels, image.Pixels);
        Assert.Equal((ImageFormat.Ico, 32, 24), (ImageProbe.Read(bytes).Format, ImageProbe.Read(bytes).Width, ImageProbe.Read(bytes).Height));
    }

    [Fact]
    public void Multi_page_tiff_gives_its_first_page_and_counts_the_pages()
    {
        var bytes = TestImages.Fixture("quads-2pages.tif");
        Assert.Equal(Reference.Pixels, ImageDecoder.Decode(bytes).Pixels);
        Assert.Equal(2, ImageProbe.Read(bytes).FrameCount);
    }

    [Theory]
    [InlineData("gray16.tif", ImageFormat.Tiff)]
    [InlineData("gray16.pgm", ImageFormat.Netpbm)]
    public void Sixteen_bit_grey_is_scaled_to_8_bits(string fixture, ImageFormat format)
    {
        // Every sample is 0x4000: its high byte is 64, its low byte 0, so taking the wrong byte shows.
        var bytes = TestImages.Fixture(fixture);
        var image = ImageDecoder.Decode(bytes);
        Assert.All(Enumerable.Range(0, image.Width * image.Height), i =>
            Assert.Equal((64, 64, 64, 255), (image.Pixels[i * 4], image.Pixels[i * 4 + 1], image.Pixels[i * 4 + 2], image.Pixels[i * 4 + 3])));
        var info = ImageProbe.Read(bytes);
        Assert.Equal((format, 16), (info.Format, info.BitsPerChannel));
    }

    [Fact]
    public void Tiff_orientation_tag_is_applied_as_exif_orientation_is()
    {
        var bytes = TestImages.Fixture("quads-orientation6.tif");
        Assert.Equal(6, ImageProbe.Read(bytes).Orientation);
        var shown = ImageDecoder.Decode(bytes);
        Assert.Equal((24, 32), (shown.Width, shown.Height));
        Assert.Equal((0, 0, 255, 255), shown.GetPixel(2, 2));       // stored bottom-left (blue) is shown top-left
        Assert.Equal((255, 0, 0, 255), shown.GetPixel(21, 2));      // stored top-left (red) is shown top-right
        var stored = ImageDecoder.Decode(bytes, new DecodeOptions { ApplyOrientation = false });
        Assert.Equal(Reference.Pixels, stored.Pixels);
    }

    [Fact]
    public void Avif_rotation_is_applied_by_the_decoder_and_reported_as_displayed()
    {
        var bytes = TestImages.Fixture("quads-irot90.avif");
        var info = ImageProbe.Read(bytes);
        Assert.Equal((24, 32, 1), (info.Width, info.Height, info.Orientation));
        var shown = ImageDecoder.Decode(bytes);
        Assert.Equal((24, 32), (shown.Width, shown.Height));
        Assert.Equal((0, 255, 0, 255), shown.GetPixel(2, 2));       // 90 degrees anti-clockwise: top-right (lime) goes top-left
        Assert.Equal((255, 0, 0, 255), shown.GetPixel(2, 29));      // and top-left (red) bottom-left
    }

    [Theory]
    [InlineData("quads.tif")]
    [InlineData("quads.avif")]
    [InlineData("quads-64.heic")]
    [InlineData("quads-alpha.ico")]
    [InlineData("quads.ppm")]
    public void A_file_cut_short_is_truncated(string fixture)
    {
        var bytes = TestImages.Fixture(fixture);
        var cut = bytes.AsSpan(0, bytes.Length * 2 / 3).ToArray();
        Assert.Equal("truncated", CodeOf(() => ImageDecoder.Decode(cut)));
    }

    [Theory]
    [InlineData("quads.tif")]
    [InlineData("quads.avif")]
    [InlineData("quads-64.heic")]
    [InlineData("quads-alpha.ico")]
    [InlineData("quads.ppm")]
    public void A_file_with_its_signature_and_nothing_else_right_is_corrupt(string fixture)
    {
        // Keep the signature (ISO-BMFF: the ftyp box; ICO: the directory), fill the rest with noise of the same length.
        // TIFF keeps its header and directory (which ImageMagick writes after the pixels) and loses its pixel data: noise
        // in the directory itself would point past the end of the file, which is what a cut file looks like.
        var bytes = TestImages.Fixture(fixture);
        var (from, to) = ImageFormats.Sniff(bytes) switch
        {
            ImageFormat.Avif or ImageFormat.Heic => (BinaryPrimitives.ReadInt32BigEndian(bytes), bytes.Length),
            ImageFormat.Tiff => (8, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4))),
            ImageFormat.Ico => (22, bytes.Length),
            _ => (3, bytes.Length),
        };
        Assert.True(to > from + 16, "nothing left to damage");
        var damaged = (byte[])bytes.Clone();
        new Random(11).NextBytes(damaged.AsSpan(from, to - from));
        Assert.Equal(ImageFormats.Sniff(bytes), ImageFormats.Sniff(damaged));
        Assert.Equal("corrupt", CodeOf(() => ImageDecoder.Decode(damaged)));
        if (ImageFormats.Sniff(bytes) != ImageFormat.Tiff)
        {
            Assert.Equal("corrupt", CodeOf(() => ImageProbe.Read(damaged))); // the TIFF header is still good
        }
    }

    [Fact]
    public void Huge_declared_tiff_is_refused_before_decoding()
    {
        var bytes = TestImages.Fixture("huge.tif");
        Assert.Equal("too-many-pixels", CodeOf(() => ImageDecoder.Decode(bytes)));
        var info = ImageProbe.Read(bytes);
        Assert.Equal((20000, 20000), (info.Width, info.Height));
    }

    [Theory]
    [InlineData("quads.avif")]
    [InlineData("quads-64.heic")]
    public void Huge_declared_avif_and_heic_are_refused_before_decoding(string fixture)
    {
        var bytes = ForgeIspe(TestImages.Fixture(fixture), 20000, 20000);
        Assert.Equal("too-many-pixels", CodeOf(() => ImageDecoder.Decode(bytes)));
        Assert.Equal((20000, 20000), (ImageProbe.Read(bytes).Width, ImageProbe.Read(bytes).Height));
    }

    [Fact]
    public void Huge_declared_netpbm_is_refused_before_decoding()
    {
        var bytes = Encoding.ASCII.GetBytes("P6\n20000 20000\n255\n").Concat(new byte[300]).ToArray();
        Assert.Equal("too-many-pixels", CodeOf(() => ImageDecoder.Decode(bytes)));
    }

    [Fact]
    public void Huge_png_inside_an_icon_is_refused()
    {
        // An ICO entry may hold a whole PNG, whose own header is what counts.
        var png = RejectionTests.ForgePngSize(20000, 20000);
        var ico = new byte[22 + png.Length];
        ico[2] = 1; ico[4] = 1;                                   // icon, one entry
        ico[10] = 1; ico[12] = 32;                                // one plane, 32 bits
        BinaryPrimitives.WriteInt32LittleEndian(ico.AsSpan(14), png.Length);
        BinaryPrimitives.WriteInt32LittleEndian(ico.AsSpan(18), 22);
        png.CopyTo(ico, 22);
        Assert.Equal(ImageFormat.Ico, ImageFormats.Sniff(ico));
        Assert.Contains(CodeOf(() => ImageDecoder.Decode(ico)), new[] { "too-many-pixels", "corrupt" });
    }

    [Fact]
    public void Limits_below_the_default_hold_for_the_new_formats_too()
    {
        var options = new DecodeOptions { MaxPixels = 32 * 24 - 1 };
        foreach (var fixture in new[] { "quads.tif", "quads.avif", "quads.ppm", "quads-alpha.ico" })
        {
            Assert.Equal("too-many-pixels", CodeOf(() => ImageDecoder.Decode(TestImages.Fixture(fixture), options)));
        }

        Assert.Equal(32, ImageDecoder.Decode(TestImages.Fixture("quads.tif"), new DecodeOptions { MaxPixels = 32 * 24 }).Width);
    }

    [Fact]
    public void Parallel_decodes_of_the_new_formats_agree()
    {
        var files = new[] { "quads.tif", "quads.avif", "quads.ppm", "quads-64.heic" }.Select(TestImages.Fixture).ToArray();
        var once = files.Select(f => ImageDecoder.Decode(f).Pixels).ToArray();
        var parallel = Enumerable.Range(0, 32).AsParallel().Select(i => ImageDecoder.Decode(files[i % files.Length]).Pixels).ToArray();
        for (int i = 0; i < parallel.Length; i++) Assert.Equal(once[i % files.Length], parallel[i]);
    }

    [Fact]
    public void Extensions_and_sniffing_name_every_accepted_format()
    {
        Assert.Equal(Enum.GetValues<ImageFormat>(), ImageFormats.Supported);
        foreach (var name in new[] { "a.JPG", "b.tiff", "c.avif", "d.heic", "e.ico", "f.pgm", "g.ppm", "h.pbm", "dir.x/i.png" })
        {
            Assert.True(ImageFormats.HasImageExtension(name), name);
        }

        Assert.True(ImageFormats.HasImageExtension(".webp"));
        Assert.False(ImageFormats.HasImageExtension("notes.txt"));
        Assert.False(ImageFormats.HasImageExtension("archive.tar"));
        Assert.Null(ImageFormats.Sniff("hello, not an image"u8));
        Assert.Null(ImageFormats.Sniff([0, 0, 1, 0])); // an icon header needs at least one entry
        var mp4 = "\0\0\0\x18ftypisom\0\0\0\0isomiso2"u8.ToArray();
        Assert.Null(ImageFormats.Sniff(mp4));            // ISO-BMFF video is not an image
        Assert.Equal(["jpg", "png", "webp", "gif", "bmp", "ico", "tif", "avif", "heic", "pnm"], ImageFormats.Supported.Select(ImageFormats.Extension));
    }

    private static string CodeOf(Action action)
    {
        var ex = Assert.Throws<ImageRejectedException>(action);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        return ex.Code;
    }

    /// <summary>Rewrites the size in every <c>ispe</c> (image spatial extents) property of an AVIF or HEIC.</summary>
    private static byte[] ForgeIspe(byte[] bytes, int width, int height)
    {
        var forged = (byte[])bytes.Clone();
        int found = 0;
        for (int at = forged.AsSpan().IndexOf("ispe"u8); at >= 0; at = forged.AsSpan(at + 4).IndexOf("ispe"u8) is var next and >= 0 ? at + 4 + next : -1)
        {
            // type (4), version and flags (4), width (4), height (4)
            BinaryPrimitives.WriteInt32BigEndian(forged.AsSpan(at + 8), width);
            BinaryPrimitives.WriteInt32BigEndian(forged.AsSpan(at + 12), height);
            found++;
        }

        Assert.True(found > 0, "no ispe box");
        return forged;
    }
}
