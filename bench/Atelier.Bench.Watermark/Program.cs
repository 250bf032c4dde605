// Watermark robustness benchmark (issue 12 item 5).
// Usage: dotnet run -c Release --project bench/Atelier.Bench.Watermark -- [--generated N] [--photos N]
//        [--unmarked N] [--unmarked-emoji N (how many of them are emoji; default all of the set)] [--emoji DIR]
//        [--fashion-mnist FILE (t10k-images-idx3-ubyte.gz)] [--threads T] [--size S]
//        [--misses (print each image and condition the mark is not found in)]
//        [--save-misses DIR (write the marked image of each miss there, as PNG)]
//        [--conditions "none,JPEG 50,crop 10%" (only the conditions whose names start with one of these)]
//        [--small-samples N (emoji shrunk to 32 px, as a 32 px generator draws them, upscaled to each of --small-sides and marked, as `sample` does)]
// Marked sets: "generated-like" = emoji from --emoji (64 px) enlarged to S px over a soft gradient with faint
// grain (flat, graphic: the hard case); "photo-like" = procedural photos (PhotoLikeImages). Conditions as in
// the issue; per condition: share detected (payload exact after BCH), mean code-bit accuracy (best placement tried, before correction), PSNR of the
// attacked image against the marked one. False detections: unmarked emoji (64 px, as they are), Fashion-MNIST, uniform
// noise and photo-like images, each detected with the key. Timing: embed and detect per 512x512, one thread.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Atelier.Imaging;
using Atelier.Provenance.Watermarking;
using Atelier.TestSupport;
using SkiaSharp;

int generated = Arg("--generated", 200), photos = Arg("--photos", 200), unmarked = Arg("--unmarked", 10_000);
string? saveMisses = ArgS("--save-misses", "") is { Length: > 0 } dir ? Directory.CreateDirectory(dir).FullName : null;
bool misses = args.Contains("--misses"); // print each image and condition the mark is not found in, and what the image looks like
int threads = Arg("--threads", 2), size = Arg("--size", 512), unmarkedEmoji = Arg("--unmarked-emoji", int.MaxValue), smallSamples = Arg("--small-samples", 0);
// The full 64 px emoji set where bench/fetch-emoji.sh puts it (bench/fetch-emoji.sh bench/data bench/data/emoji-64).
string emojiDir = ArgS("--emoji", "bench/data/emoji-64");
// Fashion-MNIST's test images where bench/fetch-fashion-mnist.sh puts them (bench/fetch-fashion-mnist.sh bench/data/fashion-mnist).
string fashionFile = ArgS("--fashion-mnist", "bench/data/fashion-mnist/t10k-images-idx3-ubyte.gz");
var key = WatermarkKey.Derive(Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + 3)).ToArray());
var wrongKey = WatermarkKey.Derive(Enumerable.Range(0, 32).Select(i => (byte)(i * 11 + 5)).ToArray());
var emoji = Directory.Exists(emojiDir) ? Directory.GetFiles(emojiDir, "*.png").Order(StringComparer.Ordinal).ToArray() : [];
if (emoji.Length == 0 && generated + smallSamples > 0) { Console.Error.WriteLine($"no emoji PNGs in {emojiDir} (get them with bench/fetch-emoji.sh bench/data bench/data/emoji-64, or pass --emoji DIR)"); return 1; }
Console.WriteLine($"Watermark benchmark: {Environment.ProcessorCount} logical CPUs, .NET {Environment.Version}, {threads} threads, " +
    $"{generated} generated-like + {photos} photo-like images at {size} px, {unmarked} unmarked; false-positive bound {Watermark.FalsePositiveBound:0.0e+0} per image");

var conditions = new (string Name, Func<Img, Img> Attack)[]
{
    ("none (PNG round trip)", i => Decode(ImageEncoder.EncodePng(i.Rgba()))),
    ("metadata stripped (re-encode PNG)", i => Decode(ImageEncoder.EncodePng(Decode(ImageEncoder.EncodePng(i.Rgba())).Rgba()))),
    ("JPEG 90", i => Decode(ImageEncoder.EncodeJpeg(i.Rgba(), 90))),
    ("JPEG 70", i => Decode(ImageEncoder.EncodeJpeg(i.Rgba(), 70))),
    ("JPEG 50", i => Decode(ImageEncoder.EncodeJpeg(i.Rgba(), 50))),
    ("resize 0.5", i => Resize(i, 0.5)),
    ("resize 0.75", i => Resize(i, 0.75)),
    ("resize 1.5", i => Resize(i, 1.5)),
    ("resize 0.75 then JPEG 75", i => Decode(ImageEncoder.EncodeJpeg(Resize(i, 0.75).Rgba(), 75))),
    ("crop 5% of area", i => Crop(i, 0.05)),
    ("crop 10% of area", i => Crop(i, 0.10)),
    ("crop 20% of area", i => Crop(i, 0.20)),
    ("crop 10% then JPEG 75", i => Decode(ImageEncoder.EncodeJpeg(Crop(i, 0.10).Rgba(), 75))),
    ("rotate 1 deg", i => Rotate(i, 1)),
    ("rotate 2 deg", i => Rotate(i, 2)),
    ("brightness +10%", i => Map(i, v => v * 1.1)),
    ("brightness -10%", i => Map(i, v => v * 0.9)),
    ("contrast +10%", i => Map(i, v => (v - 128) * 1.1 + 128)),
    ("contrast -10%", i => Map(i, v => (v - 128) * 0.9 + 128)),
    ("PNG -> WebP (lossy 80)", i => Decode(EncodeWebp(i.Rgba(), 80))),
    // Beyond the issue's targets, reported to show where the mark ends.
    ("JPEG 30", i => Decode(ImageEncoder.EncodeJpeg(i.Rgba(), 30))),
    ("PNG -> WebP (lossy 50)", i => Decode(EncodeWebp(i.Rgba(), 50))),
    ("resize 0.25", i => Resize(i, 0.25)),
    ("crop 30% of area", i => Crop(i, 0.30)),
    ("crop 40% of area", i => Crop(i, 0.40)),
    ("rotate 3 deg", i => Rotate(i, 3)),
    ("rotate 5 deg", i => Rotate(i, 5)),
    ("rotate 1 deg then crop 10%", i => Crop(Rotate(i, 1), 0.10)),
};
if (ArgS("--conditions", "") is { Length: > 0 } only)
{
    var wanted = only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    conditions = conditions.Where(c => wanted.Any(w => c.Name.StartsWith(w, StringComparison.OrdinalIgnoreCase))).ToArray();
    if (conditions.Length == 0) { Console.Error.WriteLine($"no condition starts with any of: {only}"); return 1; }
}

foreach (var (setName, count, make) in new (string, int, Func<int, Img>)[]
{
    ("generated-like", generated, n => GeneratedLike(emoji[n * 7919 % emoji.Length], size, n)),
    ("photo-like", photos, n => new Img(PhotoLikeImages.Rgb(size + n % 3 * 64, size + n % 2 * 64, 1000 + n), size + n % 3 * 64, size + n % 2 * 64)),
})
{
    if (count == 0) continue;
    var detected = new int[conditions.Length];
    var accuracy = new double[conditions.Length];
    var attackPsnr = new double[conditions.Length];
    var embedPsnr = new ConcurrentBag<double>();
    int wrongFound = 0, done = 0;
    Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, n =>
    {
        var original = make(n);
        var marked = original.Copy();
        ulong payload = (ulong)n * 0x9E3779B97F4A7C15UL ^ 0xA5A5_5A5A_0F0F_F0F0UL;
        Watermark.Embed(marked.Rgb, marked.W, marked.H, payload, key);
        embedPsnr.Add(Psnr.Of(original.Rgb, marked.Rgb));
        if (Watermark.Detect(marked.Rgb, marked.W, marked.H, wrongKey).Found) Interlocked.Increment(ref wrongFound);
        if (Interlocked.Increment(ref done) % 10 == 0) Console.Error.WriteLine($"{setName}: {done}/{count} images");
        for (int c = 0; c < conditions.Length; c++)
        {
            var attacked = conditions[c].Attack(marked);
            var (d, acc) = Watermark.DetectMeasured(attacked.Rgb, attacked.W, attacked.H, key, payload);
            double p = attacked.W == marked.W && attacked.H == marked.H ? Psnr.Of(marked.Rgb, attacked.Rgb) : double.NaN;
            bool hit = d.Found && d.Payload == payload;
            if (misses && !hit)
                Console.Error.WriteLine($"miss: {setName} #{n} {conditions[c].Name}: code-bit accuracy {acc:0.000}, {d.Reason}; marked at {Psnr.Of(original.Rgb, marked.Rgb):0.00} dB, mean luma {MeanLuma(marked):0}, {ShareAtWhite(marked):P0} of pixels at 250 or more");
            if (saveMisses is not null && !hit) File.WriteAllBytes(Path.Combine(saveMisses, $"{setName}-{n}.png"), ImageEncoder.EncodePng(marked.Rgba()));
            lock (detected)
            {
                if (hit) detected[c]++;
                accuracy[c] += acc;
                attackPsnr[c] += p;
            }
        }
    });
    var ps = embedPsnr.Order().ToArray();
    Console.WriteLine();
    Console.WriteLine($"{setName}: {count} images; PSNR of the marked image: min {ps[0]:0.00}, median {ps[ps.Length / 2]:0.00}, max {ps[^1]:0.00} dB; found with a wrong key: {wrongFound}");
    Console.WriteLine($"| condition | detected | code-bit accuracy | PSNR attacked vs marked (dB) |");
    Console.WriteLine($"|---|---|---|---|");
    for (int c = 0; c < conditions.Length; c++)
    {
        string p = double.IsNaN(attackPsnr[c]) ? "(size changed)" : double.IsPositiveInfinity(attackPsnr[c]) ? "identical" : (attackPsnr[c] / count).ToString("0.0", CultureInfo.InvariantCulture);
        Console.WriteLine($"| {conditions[c].Name} | {100.0 * detected[c] / count:0.0}% ({detected[c]}/{count}) | {accuracy[c] / count:0.000} | {p} |");
    }
}

if (smallSamples > 0)
{
    // What `atelier sample` does with a small generator's output: upscale to a side, then mark. Which side does the mark survive at?
    var small = new (string Name, Func<Img, Img> Attack)[]
    {
        ("none", i => i),
        ("JPEG 90", i => Decode(ImageEncoder.EncodeJpeg(i.Rgba(), 90))),
        ("JPEG 75", i => Decode(ImageEncoder.EncodeJpeg(i.Rgba(), 75))),
        ("JPEG 50", i => Decode(ImageEncoder.EncodeJpeg(i.Rgba(), 50))),
        ("resize 0.75 then JPEG 75", i => Decode(ImageEncoder.EncodeJpeg(Resize(i, 0.75).Rgba(), 75))),
    };
    Console.WriteLine();
    Console.WriteLine($"small samples: {smallSamples} emoji shrunk to 32 px, upscaled to the side, marked; detected (payload exact) per condition");
    Console.WriteLine($"| side | {string.Join(" | ", small.Select(c => c.Name))} | PSNR |");
    foreach (int side in ArgS("--small-sides", "64,128,192,256,384,512").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)))
    {
        var found = new int[small.Length];
        var psnr = new ConcurrentBag<double>();
        Parallel.For(0, smallSamples, new ParallelOptions { MaxDegreeOfParallelism = threads }, n =>
        {
            var drawn = ImageResizer.Resize(FromRgba(ImageDecoder.Decode(File.ReadAllBytes(emoji[n * 7919 % emoji.Length])), composite: true).Rgba(), 32, 32);
            var marked = FromRgba(ImageResizer.Resize(drawn, side, side), composite: false);
            var before = (byte[])marked.Rgb.Clone();
            ulong payload = 0x9E3779B97F4A7C15UL * (ulong)(n + 1);
            Watermark.Embed(marked.Rgb, side, side, payload, key);
            psnr.Add(Psnr.Of(before, marked.Rgb));
            for (int c = 0; c < small.Length; c++)
            {
                var attacked = small[c].Attack(marked);
                if (Watermark.Detect(attacked.Rgb, attacked.W, attacked.H, key) is { Found: true } d && d.Payload == payload) Interlocked.Increment(ref found[c]);
            }
        });
        Console.WriteLine($"| {side} | {string.Join(" | ", found.Select(f => $"{f}/{smallSamples}"))} | {psnr.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average():0.0} dB |");
    }
}

if (unmarked > 0)
{
    // Unmarked: every emoji as it is, then Fashion-MNIST (28 px, enlarged to 256 px as `sample` enlarges a small
    // generator's output), uniform noise and photo-like images in equal shares for the rest.
    var fashion = File.Exists(fashionFile) ? FashionMnist(fashionFile) : [];
    if (fashion.Length == 0) Console.Error.WriteLine($"no Fashion-MNIST at {fashionFile} (get it with bench/fetch-fashion-mnist.sh bench/data/fashion-mnist): the unmarked set goes without it");
    int fromEmoji = Math.Min(Math.Min(emoji.Length, unmarkedEmoji), unmarked), rest = unmarked - fromEmoji;
    int fromFashion = Math.Min(fashion.Length, rest / 3);
    int others = rest - fromFashion;
    int falseEmoji = 0, falseFashion = 0, falseNoise = 0, falsePhoto = 0;
    var sw = Stopwatch.StartNew();
    Parallel.For(0, unmarked, new ParallelOptions { MaxDegreeOfParallelism = threads }, n =>
    {
        Img img;
        ref int counter = ref falseEmoji;
        if (n < fromEmoji) img = FromRgba(ImageDecoder.Decode(File.ReadAllBytes(emoji[n])), composite: true);
        else if (n < fromEmoji + fromFashion) { img = FromRgba(ImageResizer.Resize(fashion[n - fromEmoji], 256, 256), composite: false); counter = ref falseFashion; }
        else if ((n - fromEmoji - fromFashion) % 2 == 0) { img = Noise(256, 256, n); counter = ref falseNoise; }
        else { img = new Img(PhotoLikeImages.Rgb(256, 256, 50_000 + n), 256, 256); counter = ref falsePhoto; }
        if (Watermark.Detect(img.Rgb, img.W, img.H, key).Found) Interlocked.Increment(ref counter);
    });
    Console.WriteLine();
    Console.WriteLine($"unmarked: {unmarked} images ({fromEmoji} emoji at 64 px, {fromFashion} Fashion-MNIST 28 px enlarged to 256 px, {(others + 1) / 2} uniform noise 256 px, {others / 2} photo-like 256 px): " +
        $"false detections emoji {falseEmoji}, Fashion-MNIST {falseFashion}, noise {falseNoise}, photo-like {falsePhoto}; {sw.Elapsed.TotalSeconds:0} s");
}

// Timing: one thread, 512x512 photo-like, median of 30 after 5 warm-ups.
{
    var img = new Img(PhotoLikeImages.Rgb(512, 512, 7), 512, 512);
    var embed = new List<double>();
    var detect = new List<double>();
    var detectUnmarked = new List<double>();
    for (int r = 0; r < 35; r++)
    {
        var m = img.Copy();
        var t = Stopwatch.GetTimestamp();
        Watermark.Embed(m.Rgb, 512, 512, 42, key);
        var t1 = Stopwatch.GetTimestamp();
        Watermark.Detect(m.Rgb, 512, 512, key);
        var t2 = Stopwatch.GetTimestamp();
        Watermark.Detect(img.Rgb, 512, 512, key);
        var t3 = Stopwatch.GetTimestamp();
        if (r < 5) continue;
        embed.Add(Stopwatch.GetElapsedTime(t, t1).TotalMilliseconds);
        detect.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
        detectUnmarked.Add(Stopwatch.GetElapsedTime(t2, t3).TotalMilliseconds);
    }
    var crop = Crop(Embedded(img), 0.10);
    var detectCrop = new List<double>();
    for (int r = 0; r < 15; r++)
    {
        var t = Stopwatch.GetTimestamp();
        Watermark.Detect(crop.Rgb, crop.W, crop.H, key);
        if (r >= 3) detectCrop.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    }
    Console.WriteLine();
    Console.WriteLine($"timing 512x512, one thread, median: embed {Median(embed):0.0} ms, detect marked {Median(detect):0.0} ms, " +
        $"detect cropped 10% {Median(detectCrop):0.0} ms, detect unmarked (full sync search) {Median(detectUnmarked):0.0} ms");
}
return 0;

Img Embedded(Img i) { var m = i.Copy(); Watermark.Embed(m.Rgb, m.W, m.H, 42, key); return m; }
static double Median(List<double> v) { var s = v.Order().ToArray(); return s[s.Length / 2]; }

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}
static double MeanLuma(Img i) => LumaPlane.FromRgb(i.Rgb, i.W, i.H).Values.Average();

static double ShareAtWhite(Img i)
{
    int n = 0;
    for (int k = 0; k < i.Rgb.Length; k += 3) if (i.Rgb[k] >= 250 && i.Rgb[k + 1] >= 250 && i.Rgb[k + 2] >= 250) n++;
    return (double)n / (i.Rgb.Length / 3);
}

string ArgS(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

// The images of an IDX3 file (gzip, big-endian header: magic 0x803, count, rows, columns; then one byte per pixel), as grey RGBA.
static RgbaImage[] FashionMnist(string path)
{
    using var gz = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
    using var ms = new MemoryStream();
    gz.CopyTo(ms);
    var b = ms.ToArray();
    int Int(int at) => b[at] << 24 | b[at + 1] << 16 | b[at + 2] << 8 | b[at + 3];
    if (b.Length < 16 || Int(0) != 0x803) throw new InvalidDataException($"{path} is not an IDX3 image file");
    int count = Int(4), rows = Int(8), cols = Int(12);
    var images = new RgbaImage[count];
    for (int k = 0; k < count; k++)
    {
        var px = new byte[rows * cols * 4];
        for (int p = 0; p < rows * cols; p++)
        {
            byte v = b[16 + k * rows * cols + p];
            (px[p * 4], px[p * 4 + 1], px[p * 4 + 2], px[p * 4 + 3]) = (v, v, v, 255);
        }
        images[k] = new RgbaImage(cols, rows, px);
    }
    return images;
}

static Img Decode(byte[] bytes) => FromRgba(ImageDecoder.Decode(bytes), composite: false);

static Img FromRgba(RgbaImage image, bool composite)
{
    if (composite) ImageResizer.CompositeInPlace(image, new Rgb(255, 255, 255));
    return new Img(image.ToRgb(), image.Width, image.Height);
}

static Img Resize(Img i, double f) =>
    FromRgba(ImageResizer.Resize(i.Rgba(), (int)Math.Round(i.W * f), (int)Math.Round(i.H * f)), composite: false);

// Keeps the aspect ratio: each side keeps sqrt(1 - share); the kept window is placed at a seeded position.
static Img Crop(Img i, double share)
{
    double keep = Math.Sqrt(1 - share);
    int w = (int)Math.Round(i.W * keep), h = (int)Math.Round(i.H * keep);
    var rng = new Random(i.W * 31 + i.H + (int)(share * 1000) + i.Rgb[i.Rgb.Length / 2]);
    int x0 = rng.Next(i.W - w + 1), y0 = rng.Next(i.H - h + 1);
    var rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) Array.Copy(i.Rgb, ((y0 + y) * i.W + x0) * 3, rgb, y * w * 3, w * 3);
    return new Img(rgb, w, h);
}

static Img Rotate(Img i, float degrees) => FromRgba(ImageAttacks.Rotate(i.Rgba(), degrees), composite: false);

static Img Map(Img i, Func<double, double> f)
{
    var lut = new byte[256];
    for (int v = 0; v < 256; v++) lut[v] = (byte)Math.Clamp((int)Math.Round(f(v)), 0, 255);
    var rgb = new byte[i.Rgb.Length];
    for (int k = 0; k < rgb.Length; k++) rgb[k] = lut[i.Rgb[k]];
    return new Img(rgb, i.W, i.H);
}

static unsafe byte[] EncodeWebp(RgbaImage image, int quality)
{
    var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
    fixed (byte* p = image.Pixels)
    {
        using var pixmap = new SKPixmap(info, (IntPtr)p, image.Stride);
        using var data = pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, quality)) ?? throw new InvalidOperationException("Skia could not encode WebP");
        return data.ToArray();
    }
}

static Img Noise(int w, int h, int seed)
{
    var rgb = new byte[w * h * 3];
    new Random(seed).NextBytes(rgb);
    return new Img(rgb, w, h);
}

// Emoji enlarged (Mitchell) over a soft random gradient, with faint grain: flat, graphic, like many generated images.
static Img GeneratedLike(string emojiPath, int size, int seed)
{
    var rng = new Random(seed);
    var e = ImageResizer.Resize(ImageDecoder.Decode(File.ReadAllBytes(emojiPath)), size * 3 / 4, size * 3 / 4);
    var (a, b) = ((rng.Next(256), rng.Next(256), rng.Next(256)), (rng.Next(256), rng.Next(256), rng.Next(256)));
    var rgb = new byte[size * size * 3];
    int off = size / 8;
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
        {
            float t = (x + y) / (2f * size);
            float r = a.Item1 + (b.Item1 - a.Item1) * t, g = a.Item2 + (b.Item2 - a.Item2) * t, bl = a.Item3 + (b.Item3 - a.Item3) * t;
            int ex = x - off, ey = y - off;
            if (ex >= 0 && ey >= 0 && ex < e.Width && ey < e.Height)
            {
                int s = (ey * e.Width + ex) * 4;
                float al = e.Pixels[s + 3] / 255f;
                r = r * (1 - al) + e.Pixels[s] * al;
                g = g * (1 - al) + e.Pixels[s + 1] * al;
                bl = bl * (1 - al) + e.Pixels[s + 2] * al;
            }
            float n = (float)(rng.NextDouble() - 0.5);
            int o = (y * size + x) * 3;
            rgb[o] = (byte)Math.Clamp((int)(r + n + 0.5f), 0, 255);
            rgb[o + 1] = (byte)Math.Clamp((int)(g + n + 0.5f), 0, 255);
            rgb[o + 2] = (byte)Math.Clamp((int)(bl + n + 0.5f), 0, 255);
        }
    return new Img(rgb, size, size);
}

internal sealed record Img(byte[] Rgb, int W, int H)
{
    public Img Copy() => new((byte[])Rgb.Clone(), W, H);
    public RgbaImage Rgba() => RgbaImage.FromRgb(Rgb, W, H);
}
