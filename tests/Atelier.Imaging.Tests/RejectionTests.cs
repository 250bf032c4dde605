using System.Buffers.Binary;
using System.Text;
using SkiaSharp;

namespace Atelier.Imaging.Tests;

public class RejectionTests
{
    private static string CodeOf(Action action)
    {
        var ex = Assert.Throws<ImageRejectedException>(action);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
        return ex.Code;
    }

    [Fact]
    public void Zero_bytes_is_empty_file()
    {
        Assert.Equal("empty-file", CodeOf(() => ImageDecoder.Decode([])));
        Assert.Equal("empty-file", CodeOf(() => ImageProbe.Read(ReadOnlySpan<byte>.Empty)));
    }

    [Fact]
    public void Text_and_qoi_are_unsupported()
    {
        var text = Encoding.UTF8.GetBytes("hello, this is not an image\n");
        Assert.Equal("unsupported-format", CodeOf(() => ImageDecoder.Decode(text)));
        Assert.Equal("unsupported-format", CodeOf(() => ImageProbe.Read(text)));
        // A real format that no decoder here reads: a 1x1 QOI (header, one QOI_OP_RGB, end marker).
        byte[] qoi = [.. "qoif"u8, 0, 0, 0, 1, 0, 0, 0, 1, 3, 0, 0xFE, 10, 20, 30, 0, 0, 0, 0, 0, 0, 0, 1];
        Assert.Equal("unsupported-format", CodeOf(() => ImageDecoder.Decode(qoi)));
        Assert.Equal("unsupported-format", CodeOf(() => ImageProbe.Read(qoi)));
    }

    [Fact]
    public void Jpeg_signature_followed_by_garbage_is_corrupt()
    {
        var bytes = new byte[600];
        new Random(1).NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        bytes[3] = 0xE0;
        Assert.Equal("corrupt", CodeOf(() => ImageDecoder.Decode(bytes)));
    }

    [Fact]
    public void Png_with_damaged_pixel_data_is_corrupt()
    {
        var bytes = TestImages.Encode(TestImages.Noise(64, 64, 3), SKEncodedImageFormat.Png);
        int idat = IndexOf(bytes, "IDAT"u8);
        for (int i = idat + 10; i < idat + 200; i++)
        {
            bytes[i] ^= 0x5A;
        }

        Assert.Equal("corrupt", CodeOf(() => ImageDecoder.Decode(bytes)));
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Png)]
    public void File_cut_in_half_is_truncated_even_though_the_top_rows_decode(SKEncodedImageFormat format)
    {
        var bytes = TestImages.Encode(TestImages.Noise(256, 256, 5), format, 90);
        var half = bytes.AsSpan(0, bytes.Length / 2).ToArray();
        Assert.Equal("truncated", CodeOf(() => ImageDecoder.Decode(half)));
        Assert.Equal(256, ImageProbe.Read(half).Width); // the header alone is still readable
    }

    [Fact]
    public void File_cut_inside_the_header_is_truncated()
    {
        var bytes = TestImages.Encode(TestImages.Noise(32, 32, 5), SKEncodedImageFormat.Png);
        Assert.Equal("truncated", CodeOf(() => ImageDecoder.Decode(bytes.AsSpan(0, 20).ToArray())));
    }

    [Fact]
    public void Forged_huge_png_header_is_refused_without_allocating_pixels()
    {
        var forged = ForgePngSize(60000, 60000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal("too-many-pixels", CodeOf(() => ImageDecoder.Decode(forged)));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1_000_000, $"Allocated {allocated} bytes while refusing.");
    }

    [Fact]
    public void Probe_reports_the_forged_size_so_callers_can_refuse_it_early()
    {
        var info = ImageProbe.Read(ForgePngSize(60000, 60000));
        Assert.Equal((60000, 60000), (info.Width, info.Height));
        Assert.Equal(3_600_000_000L, info.PixelCount);
    }

    [Fact]
    public void Invalid_options_are_argument_errors_not_rejections()
    {
        var png = TestImages.Encode(RgbaImage.Filled(4, 4, 1, 2, 3), SKEncodedImageFormat.Png);
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageDecoder.Decode(png, new DecodeOptions { MaxSide = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageDecoder.Decode(png, new DecodeOptions { MaxPixels = 0 }));
    }

    [Fact]
    public void MaxPixels_is_checked_against_the_header_for_every_format()
    {
        var jpeg = TestImages.Encode(TestImages.Quadrants(100, 100), SKEncodedImageFormat.Jpeg);
        var options = new DecodeOptions { MaxPixels = 9_999 };
        Assert.Equal("too-many-pixels", CodeOf(() => ImageDecoder.Decode(jpeg, options)));
        Assert.Equal(100, ImageDecoder.Decode(jpeg, new DecodeOptions { MaxPixels = 10_000 }).Width);
    }

    /// <summary>A real 1x1 PNG whose IHDR (with a recomputed CRC) claims another size.</summary>
    internal static byte[] ForgePngSize(int width, int height)
    {
        var png = TestImages.Encode(RgbaImage.Filled(1, 1, 1, 2, 3), SKEncodedImageFormat.Png);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        return png;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
