using SkiaSharp;

namespace Atelier.Imaging.Tests;

public class ImageFormatsTests
{
    [Fact]
    public void Every_format_has_extensions_and_they_are_recognised_in_any_case()
    {
        foreach (var format in Enum.GetValues<ImageFormat>())
        {
            var extensions = ImageFormats.ExtensionsOf(format);
            Assert.True(extensions.Count > 0, $"{format} has no file extensions");
            foreach (var ext in extensions)
            {
                Assert.StartsWith(".", ext);
                Assert.True(ImageFormats.IsImageExtension(ext.ToUpperInvariant()), ext);
            }
        }
        Assert.False(ImageFormats.IsImageExtension(".sng"));
        Assert.False(ImageFormats.IsImageExtension(""));
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png, ImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg, ImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp, ImageFormat.Webp)]
    public void A_header_is_recognised_from_its_first_bytes(SKEncodedImageFormat encoded, ImageFormat expected)
    {
        var bytes = TestImages.Encode(TestImages.Quadrants(20, 10), encoded);
        Assert.Equal(expected, ImageFormats.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, ImageFormats.HeaderBytes))));
    }

    [Fact]
    public void Text_and_empty_files_are_not_recognised()
    {
        Assert.Null(ImageFormats.Sniff("# a README, not an image\n"u8));
        Assert.Null(ImageFormats.Sniff([]));
    }
}
