using System.Diagnostics;
using Atelier.Bench.Decode;
using Atelier.Imaging;

// Decode-to-thumbnail throughput, single thread: SkiaSharp (Atelier.Imaging) vs NetVips.
// Usage: generate [dataDir] | run [dataDir] [passes] | formats [samplesDir] [passes] (samples: bench/formats/make-samples.sh)
const int ThumbSide = 256;
string command = args.Length > 0 ? args[0] : "run";
string dataDir = args.Length > 1 ? args[1] : Path.Combine("bench", "data");
int passes = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;

if (command == "generate")
{
    var sw = Stopwatch.StartNew();
    Corpus.Generate(dataDir, pngCount: 300, jpegCount: 40);
    Console.WriteLine($"Generated corpora under {Path.GetFullPath(dataDir)} in {sw.Elapsed.TotalSeconds:F1} s");
    return;
}

if (command == "formats")
{
    Formats.Run(dataDir, passes);
    return;
}

NetVips.NetVips.Concurrency = 1;  // one worker thread: compare single-threaded throughput
if (Environment.GetEnvironmentVariable("BENCH_VIPS_CACHE") != "1")
{
    // No operation cache, so every pass really decodes (set BENCH_VIPS_CACHE=1 to check the cache's effect).
    NetVips.Cache.Max = 0;
    NetVips.Cache.MaxFiles = 0;
    NetVips.Cache.MaxMem = 0;
}

var engines = new (string Name, Func<byte[], int> Thumbnail)[]
{
    ("skia-maxside", bytes => ImageResizer.Thumbnail(ImageDecoder.Decode(bytes, new DecodeOptions { MaxSide = ThumbSide }), ThumbSide).Pixels.Length),
    ("skia-full", bytes => ImageResizer.Thumbnail(ImageDecoder.Decode(bytes), ThumbSide).Pixels.Length),
    ("skia-full-decode-only", bytes => ImageDecoder.Decode(bytes).Pixels.Length), // splits skia-full into decode vs resize
    ("turbojpeg-maxside (system libjpeg-turbo, JPEG only)", bytes =>
    {
        if (!TurboJpeg.Available || bytes is not [0xFF, 0xD8, ..]) return 0;
        var (w, h, pixels) = TurboJpeg.Decode(bytes, ThumbSide);
        return ImageResizer.Thumbnail(new RgbaImage(w, h, pixels), ThumbSide).Pixels.Length;
    }),
    ("netvips", bytes =>
    {
        using var thumb = NetVips.Image.ThumbnailBuffer(bytes, ThumbSide, height: ThumbSide);
        return thumb.WriteToMemory<byte>().Length;
    }),
};

Console.WriteLine($"# {passes} passes, thumbnail longer side {ThumbSide}, single thread, files preloaded in memory");
Console.WriteLine("corpus | engine | files | median pass (s) | ms/image | images/s");
foreach (var corpus in new[] { Corpus.SmallPng, Corpus.LargeJpeg })
{
    var files = Directory.GetFiles(Path.Combine(dataDir, corpus)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
    if (files.Length == 0)
    {
        throw new InvalidOperationException($"No files in {corpus}; run 'generate' first.");
    }

    // Engines take turns within each pass, so load from other processes on a shared machine hits all of them alike.
    var times = engines.Select(_ => new List<double>()).ToArray();
    foreach (var (_, thumbnail) in engines)
    {
        thumbnail(files[0]); // warm up JIT and native libraries outside the timing
    }

    for (int p = 0; p < passes; p++)
    {
        for (int e = 0; e < engines.Length; e++)
        {
            GC.Collect();
            var sw = Stopwatch.StartNew();
            long checksum = 0;
            foreach (var bytes in files)
            {
                checksum += engines[e].Thumbnail(bytes);
            }

            times[e].Add(sw.Elapsed.TotalSeconds);
            GC.KeepAlive(checksum);
        }
    }

    for (int e = 0; e < engines.Length; e++)
    {
        times[e].Sort();
        double median = times[e][times[e].Count / 2];
        Console.WriteLine($"{corpus} | {engines[e].Name} | {files.Length} | {median:F3} | {median * 1000 / files.Length:F2} | {files.Length / median:F0}");
    }
}
