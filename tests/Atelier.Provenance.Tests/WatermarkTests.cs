using Atelier.Governance.Keys;
using Atelier.Imaging;
using Atelier.Provenance.Watermarking;
using Atelier.TestSupport;

namespace Atelier.Provenance.Tests;

public class WatermarkTests
{
    private static readonly WatermarkKey Key = WatermarkKey.Derive(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
    private static readonly WatermarkKey OtherKey = WatermarkKey.Derive(Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray());
    private const ulong Payload = 0xC0FFEE_1234_5678UL;

    private static (byte[] Original, byte[] Marked, int W, int H) MarkedPhoto(int seed = 1, int w = 512, int h = 384)
    {
        var original = PhotoLikeImages.Rgb(w, h, seed);
        var marked = (byte[])original.Clone();
        Watermark.Embed(marked, w, h, Payload, Key);
        return (original, marked, w, h);
    }

    /// <summary>A real image: an emoji from data/emoji-sample, enlarged to 512 px over white (flat areas, hard edges).</summary>
    private static (byte[] Original, byte[] Marked) MarkedEmoji()
    {
        var image = ImageResizer.Fit(ImageDecoder.Decode(Repo.Png()), 512, FitMode.Pad, new Rgb(255, 255, 255));
        var original = ToRgb(image);
        var marked = (byte[])original.Clone();
        Watermark.Embed(marked, 512, 512, Payload, Key);
        return (original, marked);
    }

    [Fact]
    public void Round_trip_gives_the_exact_payload_at_42_dB_or_more()
    {
        var (original, marked, w, h) = MarkedPhoto();
        double psnr = Psnr.Of(original, marked);
        Assert.True(psnr >= 42, $"PSNR {psnr:0.00} dB");
        Assert.True(psnr < 60, $"PSNR {psnr:0.00} dB: the mark changed almost nothing");
        var found = Watermark.Detect(marked, w, h, Key);
        Assert.True(found.Found, found.Reason);
        Assert.Equal(Payload, found.Payload);
        Assert.InRange(found.CorrectedBits, 0, 29);
    }

    [Fact]
    public void A_real_image_with_flat_areas_round_trips_and_survives_JPEG_70()
    {
        var (original, marked) = MarkedEmoji();
        double psnr = Psnr.Of(original, marked);
        Assert.True(psnr >= 42, $"PSNR {psnr:0.00} dB");
        Assert.Equal(Payload, Watermark.Detect(marked, 512, 512, Key).Payload);
        var jpeg = ToRgb(ImageDecoder.Decode(ImageEncoder.EncodeJpeg(RgbaImage.FromRgb(marked, 512, 512), 70)));
        var found = Watermark.Detect(jpeg, 512, 512, Key);
        Assert.True(found.Found, found.Reason);
        Assert.Equal(Payload, found.Payload);
    }

    [Fact]
    public void Flat_areas_get_less_of_the_mark_than_textured_ones()
    {
        // Left half flat grey, right half photo-like texture: the change per pixel must be smaller on the left.
        var photo = PhotoLikeImages.Rgb(512, 512, 5);
        var rgb = (byte[])photo.Clone();
        for (int y = 0; y < 512; y++) for (int x = 0; x < 256; x++) for (int k = 0; k < 3; k++) rgb[(y * 512 + x) * 3 + k] = 128;
        var marked = (byte[])rgb.Clone();
        Watermark.Embed(marked, 512, 512, Payload, Key);
        double flat = 0, textured = 0;
        for (int y = 0; y < 512; y++)
            for (int x = 0; x < 512; x++)
            {
                int i = (y * 512 + x) * 3, d = marked[i] - rgb[i];
                if (x < 240) flat += d * d; else if (x >= 272) textured += d * d;
            }
        Assert.True(flat < 0.5 * textured, $"flat energy {flat}, textured {textured}");
        Assert.Equal(Payload, Watermark.Detect(marked, 512, 512, Key).Payload);
    }

    [Theory]
    [InlineData(90)]
    [InlineData(70)]
    [InlineData(50)]
    public void Survives_JPEG_re_encoding(int quality)
    {
        var (_, marked, w, h) = MarkedPhoto(seed: 2);
        var jpeg = ToRgb(ImageDecoder.Decode(ImageEncoder.EncodeJpeg(RgbaImage.FromRgb(marked, w, h), quality)));
        var found = Watermark.Detect(jpeg, w, h, Key);
        Assert.True(found.Found, found.Reason);
        Assert.Equal(Payload, found.Payload);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.75)]
    [InlineData(1.5)]
    public void Survives_resizing(double factor)
    {
        var (_, marked, w, h) = MarkedPhoto(seed: 3);
        int rw = (int)Math.Round(w * factor), rh = (int)Math.Round(h * factor);
        var resized = ToRgb(ImageResizer.Resize(RgbaImage.FromRgb(marked, w, h), rw, rh));
        var found = Watermark.Detect(resized, rw, rh, Key);
        Assert.True(found.Found, found.Reason);
        Assert.Equal(Payload, found.Payload);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(0.5, 0.3)]
    public void Survives_a_crop_removing_10_percent_of_the_area(double fx, double fy)
    {
        var (_, marked, w, h) = MarkedPhoto(seed: 4, w: 512, h: 512);
        int cw = (int)Math.Round(w * Math.Sqrt(0.9)), ch = (int)Math.Round(h * Math.Sqrt(0.9));
        int x0 = (int)((w - cw) * fx), y0 = (int)((h - ch) * fy);
        var crop = new byte[cw * ch * 3];
        for (int y = 0; y < ch; y++) Array.Copy(marked, ((y0 + y) * w + x0) * 3, crop, y * cw * 3, cw * 3);
        AssertFinds(Watermark.Detect(crop, cw, ch, Key), "crop");
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-1f)]
    [InlineData(2f)]
    [InlineData(-1.5f)]
    public void Survives_a_small_rotation(float degrees)
    {
        var (_, marked, w, h) = MarkedPhoto(seed: 11, w: 512, h: 384);
        var turned = ToRgb(ImageAttacks.Rotate(RgbaImage.FromRgb(marked, w, h), degrees));
        AssertFinds(Watermark.Detect(turned, w, h, Key), "turning it back");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_graphic_with_hard_black_on_white_edges_is_read_exactly_and_survives_JPEG_50(int seed)
    {
        // Black shapes on a light tile over a gradient: the picture's own edges read hundreds of units along some
        // bits' chips, against a mark of a few. Cancelling them all at a fixed share used to leave 30-60 of 248 code bits wrong.
        var original = HardEdgedGraphic(512, seed);
        var marked = (byte[])original.Clone();
        Watermark.Embed(marked, 512, 512, Payload, Key);
        Assert.True(Psnr.Of(original, marked) >= 42, $"PSNR {Psnr.Of(original, marked):0.00} dB");
        var untouched = Watermark.Detect(marked, 512, 512, Key);
        Assert.Equal(Payload, untouched.Payload);
        Assert.InRange(untouched.CorrectedBits, 0, 8); // only the bits the embedder may leave to the correction
        var jpeg = ToRgb(ImageDecoder.Decode(ImageEncoder.EncodeJpeg(RgbaImage.FromRgb(marked, 512, 512), 50)));
        var found = Watermark.Detect(jpeg, 512, 512, Key);
        Assert.True(found.Found, found.Reason);
        Assert.Equal(Payload, found.Payload);
    }

    [Fact]
    public void The_PSNR_budget_holds_even_on_a_picture_that_opposes_every_bit()
    {
        // Black-and-white noise: every chip of every bit holds a coefficient beyond the limit, and half the change clips.
        var rng = new Random(5);
        var noise = new byte[256 * 256 * 3];
        for (int p = 0; p < 256 * 256; p++) noise[p * 3] = noise[p * 3 + 1] = noise[p * 3 + 2] = rng.Next(2) == 0 ? (byte)0 : (byte)255;
        var marked = (byte[])noise.Clone();
        Watermark.Embed(marked, 256, 256, Payload, Key);
        Assert.True(Psnr.Of(noise, marked) >= Watermark.TargetPsnr - 0.3, $"PSNR {Psnr.Of(noise, marked):0.00} dB");
    }

    [Fact]
    public void A_wrong_key_detects_nothing()
    {
        var (_, marked, w, h) = MarkedPhoto(seed: 6);
        var found = Watermark.Detect(marked, w, h, OtherKey);
        Assert.False(found.Found, found.Reason);
        Assert.Equal(0UL, found.Payload);
        Assert.StartsWith("no watermark", found.Reason);
    }

    [Fact]
    public void The_workspace_key_gives_the_watermark_key_and_another_workspace_detects_nothing()
    {
        using var a = new TempWorkspace();
        var keyA = WatermarkKey.For(KeyRing.Load(a.Workspace, Env(Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray()))).Active);
        var keyA2 = WatermarkKey.For(KeyRing.Load(a.Workspace, Env(Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray()))).Active);
        var keyB = WatermarkKey.For(KeyRing.Load(a.Workspace, Env(Convert.ToBase64String(Enumerable.Repeat((byte)2, 32).ToArray()))).Active);
        var rgb = PhotoLikeImages.Rgb(320, 320, 9);
        Watermark.Embed(rgb, 320, 320, 77, keyA);
        Assert.Equal(77UL, Watermark.Detect(rgb, 320, 320, keyA2).Payload);
        Assert.False(Watermark.Detect(rgb, 320, 320, keyB).Found);
    }

    [Fact]
    public void Unmarked_images_detect_nothing()
    {
        for (int seed = 100; seed < 106; seed++)
        {
            var rgb = PhotoLikeImages.Rgb(384, 384, seed);
            var found = Watermark.Detect(rgb, 384, 384, Key);
            Assert.False(found.Found, $"seed {seed}: {found.Reason}");
        }
        var emoji = ToRgb(ImageResizer.Fit(ImageDecoder.Decode(Repo.Png()), 256, FitMode.Pad, new Rgb(255, 255, 255)));
        Assert.False(Watermark.Detect(emoji, 256, 256, Key).Found);
        var flat = Enumerable.Repeat((byte)200, 256 * 256 * 3).ToArray();
        Assert.False(Watermark.Detect(flat, 256, 256, Key).Found);
    }

    [Fact]
    public void The_false_positive_bound_is_stated_and_tiny()
    {
        // 27 hypotheses (the frame, 16 rotations, 10 crop placements) x 2^64 x V(248, 29) / 2^248, computed independently here.
        double ball = 0;
        for (int i = 0; i <= 29; i++) ball += Math.Exp(LogChoose(248, i) - 184 * Math.Log(2));
        Assert.Equal(27 * ball, Watermark.FalsePositiveBound, 1e-20);
        Assert.InRange(Watermark.FalsePositiveBound, 1e-18, 1e-15);
    }

    [Fact]
    public void Bad_buffers_and_tiny_images_get_a_clear_reason()
    {
        var e = Assert.Throws<ArgumentException>(() => Watermark.Embed(new byte[10], 4, 4, 1, Key));
        Assert.Contains("not a 4x4 RGB image", e.Message);
        var small = Assert.Throws<ArgumentException>(() => Watermark.Embed(new byte[32 * 32 * 3], 32, 32, 1, Key));
        Assert.Contains("too small", small.Message);
        var found = Watermark.Detect(new byte[32 * 32 * 3], 32, 32, Key);
        Assert.False(found.Found);
        Assert.Contains("too small", found.Reason);
        Assert.Throws<ArgumentException>(() => Watermark.Detect(new byte[11], 2, 2, Key));
        Assert.Throws<ArgumentException>(() => WatermarkKey.Derive(new byte[8]));
    }

    [Fact]
    public void Embedding_is_deterministic()
    {
        var (_, a, _, _) = MarkedPhoto(seed: 8, w: 256, h: 256);
        var (_, b, _, _) = MarkedPhoto(seed: 8, w: 256, h: 256);
        Assert.Equal(a, b);
    }

    /// <summary>A light rounded tile with black discs and bars over a colour gradient, hard-edged (no anti-aliasing).</summary>
    private static byte[] HardEdgedGraphic(int side, int seed)
    {
        var rng = new Random(seed);
        var rgb = new byte[side * side * 3];
        int tile0 = side / 7, tile1 = side - side / 7, round = side / 20;
        var shapes = Enumerable.Range(0, 5).Select(_ => (X: rng.Next(tile0 + 40, tile1 - 40), Y: rng.Next(tile0 + 40, tile1 - 40), R: rng.Next(side / 16, side / 7), Disc: rng.Next(2) == 0)).ToArray();
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                int i = (y * side + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = ((byte)(40 + 180 * x / side), (byte)(200 - 120 * y / side), (byte)(60 + 150 * (x + y) / (2 * side)));
                bool inTile = x >= tile0 && x < tile1 && y >= tile0 && y < tile1
                    && !(Math.Min(x - tile0, tile1 - 1 - x) < round && Math.Min(y - tile0, tile1 - 1 - y) < round
                         && Math.Pow(round - Math.Min(x - tile0, tile1 - 1 - x), 2) + Math.Pow(round - Math.Min(y - tile0, tile1 - 1 - y), 2) > round * round);
                if (!inTile) continue;
                byte v = 236;
                foreach (var s in shapes)
                    if (s.Disc ? (x - s.X) * (x - s.X) + (y - s.Y) * (y - s.Y) <= s.R * s.R : Math.Abs(x - s.X) <= s.R && Math.Abs(y - s.Y) <= s.R / 3) v = 12;
                rgb[i] = rgb[i + 1] = rgb[i + 2] = v;
            }
        return rgb;
    }

    /// <summary>The mark was found, named <see cref="Payload"/>, and the reason says how it was found.</summary>
    private static void AssertFinds(WatermarkDetection found, string how)
    {
        Assert.True(found.Found, found.Reason);
        Assert.Equal(Payload, found.Payload);
        Assert.Contains(how, found.Reason);
    }

    private static Func<string, string?> Env(string key) => name => name == KeyRing.KeyVariable ? key : null;

    private static double LogChoose(int n, int k)
    {
        double r = 0;
        for (int i = 1; i <= k; i++) r += Math.Log(n - k + i) - Math.Log(i);
        return r;
    }

    private static byte[] ToRgb(RgbaImage image)
    {
        var rgb = new byte[image.Width * image.Height * 3];
        for (int s = 0, d = 0; d < rgb.Length; s += 4, d += 3)
            (rgb[d], rgb[d + 1], rgb[d + 2]) = (image.Pixels[s], image.Pixels[s + 1], image.Pixels[s + 2]);
        return rgb;
    }
}
