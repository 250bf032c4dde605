using System.Diagnostics;
using ImageMagick;
using NetVips;

namespace Atelier.Bench.Decode;

/// <summary>
/// The decoder comparison of docs/decisions/0006: full-size decode to RGBA8 of the formats Skia cannot read (and ICO,
/// which it can), single thread, files preloaded, engines interleaved within each pass. Samples: bench/formats/make-samples.sh.
/// </summary>
internal static class Formats
{
    public static void Run(string dir, int passes)
    {
        NetVips.NetVips.Concurrency = 1;
        NetVips.Cache.Max = 0;
        NetVips.Cache.MaxFiles = 0;
        NetVips.Cache.MaxMem = 0;
        ResourceLimits.Thread = 1;

        var engines = new (string Name, Func<string, byte[], long>? Decode)[]
        {
            ("atelier (ImageDecoder)", (_, bytes) => Atelier.Imaging.ImageDecoder.Decode(bytes).Pixels.Length),
            ("skia", (_, bytes) => SkiaOrSkip(bytes)),
            ("netvips", (_, bytes) => Vips(bytes)),
            ("magick.net", Magick),
        };

        var samples = Directory.GetFiles(dir).Where(f => !f.EndsWith(".png", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(f => (Name: Path.GetFileName(f), Files: new[] { (f, File.ReadAllBytes(f)) }))
            .Append(("icons/*.ico (40 files, 64x64)", Directory.GetFiles(Path.Combine(dir, "icons")).Order(StringComparer.Ordinal).Select(f => (f, File.ReadAllBytes(f))).ToArray()))
            .ToList();

        Console.WriteLine($"# {passes} passes, full-size decode to RGBA8, single thread, files preloaded in memory; '-' = cannot decode it");
        Console.WriteLine("sample | bytes | engine | median ms/file (min-max) | first call ms");
        foreach (var (name, files) in samples)
        {
            var times = engines.Select(_ => new List<double>()).ToArray();
            var first = new double?[engines.Length];
            for (int e = 0; e < engines.Length; e++)
            {
                var sw = Stopwatch.StartNew();
                try
                {
                    foreach (var (path, bytes) in files) engines[e].Decode!(path, bytes);
                    first[e] = sw.Elapsed.TotalMilliseconds / files.Length;
                }
                catch (Exception ex) when (ex is NotSupportedException or MagickException or VipsException or Atelier.Imaging.ImageRejectedException)
                {
                    first[e] = null;
                }
            }

            for (int p = 0; p < passes; p++)
            {
                for (int e = 0; e < engines.Length; e++)
                {
                    if (first[e] is null) continue;
                    GC.Collect();
                    var sw = Stopwatch.StartNew();
                    long checksum = 0;
                    foreach (var (path, bytes) in files) checksum += engines[e].Decode!(path, bytes);
                    times[e].Add(sw.Elapsed.TotalMilliseconds / files.Length);
                    GC.KeepAlive(checksum);
                }
            }

            long size = files.Sum(f => (long)f.Item2.Length) / files.Length;
            for (int e = 0; e < engines.Length; e++)
            {
                if (first[e] is null)
                {
                    Console.WriteLine($"{name} | {size} | {engines[e].Name} | - | -");
                    continue;
                }

                var t = times[e].Order().ToList();
                Console.WriteLine($"{name} | {size} | {engines[e].Name} | {t[t.Count / 2]:F2} ({t[0]:F2}-{t[^1]:F2}) | {first[e]:F1}");
            }
        }
    }

    private static long SkiaOrSkip(byte[] bytes)
    {
        using var codec = SkiaSharp.SKCodec.Create(new SkiaSharp.SKMemoryStream(bytes)) ?? throw new NotSupportedException();
        var info = new SkiaSharp.SKImageInfo(codec.Info.Width, codec.Info.Height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Unpremul);
        using var bitmap = new SkiaSharp.SKBitmap(info);
        return codec.GetPixels(info, bitmap.GetPixels()) == SkiaSharp.SKCodecResult.Success ? bitmap.ByteCount : throw new NotSupportedException();
    }

    /// <summary>What the pipeline needs from libvips: sRGB, 8 bits, four bands, in memory.</summary>
    private static long Vips(byte[] bytes)
    {
        using var source = Source.NewFromMemory(bytes);
        using var loaded = Image.NewFromSource(source, access: Enums.Access.Sequential);
        using var srgb = loaded.Interpretation == Enums.Interpretation.Srgb ? loaded.Copy() : loaded.Colourspace(Enums.Interpretation.Srgb);
        using var eight = srgb.Format == Enums.BandFormat.Uchar ? srgb.Copy() : srgb.Cast(Enums.BandFormat.Uchar);
        using var rgba = eight.HasAlpha() ? eight.Copy() : eight.Bandjoin(255);
        return rgba.WriteToMemory<byte>().Length;
    }

    /// <summary>The same from ImageMagick; the format comes from the extension, as sniffing would give it.</summary>
    private static long Magick(string path, byte[] bytes)
    {
        var format = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".tif" => MagickFormat.Tiff,
            ".avif" => MagickFormat.Avif,
            ".heic" => MagickFormat.Heic,
            ".ppm" or ".pgm" => MagickFormat.Pnm,
            ".ico" => MagickFormat.Ico,
            _ => throw new NotSupportedException(),
        };
        using var image = new MagickImage(bytes, new MagickReadSettings { Format = format, FrameIndex = 0, FrameCount = 1 });
        using var pixels = image.GetPixelsUnsafe();
        return pixels.ToByteArray(PixelMapping.RGBA)!.Length;
    }
}
