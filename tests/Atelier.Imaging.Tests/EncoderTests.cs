using System.Text;

namespace Atelier.Imaging.Tests;

public class EncoderTests
{
    [Fact]
    public void Thumbnail_of_gps_tagged_jpeg_carries_no_exif_or_gps()
    {
        var original = TestImages.Fixture("gps.jpg");
        Assert.True(ImageProbe.Read(original).HasGps);
        Assert.Contains("Exif", Encoding.Latin1.GetString(original));

        var thumb = ImageResizer.Thumbnail(ImageDecoder.Decode(original), 24);
        foreach (var encoded in new[] { ImageEncoder.EncodePng(thumb), ImageEncoder.EncodeJpeg(thumb, 85) })
        {
            var info = ImageProbe.Read(encoded);
            Assert.False(info.HasGps);
            Assert.Null(info.CaptureDate);
            Assert.Equal((24, 16), (info.Width, info.Height));
            string raw = Encoding.Latin1.GetString(encoded);
            Assert.DoesNotContain("Exif", raw);
            Assert.DoesNotContain("eXIf", raw);
            Assert.DoesNotContain("GPS", raw);
        }
    }

    [Fact]
    public void Png_round_trip_is_lossless()
    {
        var src = TestImages.Noise(33, 17, 9);
        src.Pixels[3] = 7; // one translucent pixel
        var back = ImageDecoder.Decode(ImageEncoder.EncodePng(src));
        Assert.Equal(src.Pixels, back.Pixels);
    }
}
