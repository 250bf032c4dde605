using System.Diagnostics;
using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.Hashing;
using Atelier.Imaging;

namespace Atelier.Bench.Ingest;

/// <summary>
/// Times each step the ingest worker performs on one file (the same public calls, in the same
/// order, as ImageAnalysis.Analyze plus the blob writes), on one thread, so the shares of the
/// per-image cost can be compared. Also times a full-size decode as the reference the DCT-scaled
/// decode saves against, and the quality measures and thumbnail taken from the full-size decode (the
/// one-decode alternative to decoding twice for PDQ).
/// </summary>
internal static class StageBreakdown
{
    private const int ThumbnailSide = 128;

    private static readonly string[] Stages =
        ["read file", "sha-256", "probe", "decode (>=256 px)", "full-size decode for pdq (JPEGs the first decode scaled)", "pdq (512x512 nearest neighbour of the full size)", "quality", "thumbnail resize", "png encode (fast)", "blob put original (no fsync)", "blob put thumbnail (no fsync)", "blob sync (syncfs every 64 images)"];

    public static void Run(string folder, int passes, int limit)
    {
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Take(limit).ToArray();
        if (files.Length == 0) throw new InvalidOperationException($"no files in {folder}");
        var totals = Stages.ToDictionary(s => s, _ => new List<double>());
        totals["decode full size (reference)"] = [];
        totals["both blob writes without fsync (reference)"] = [];
        totals["quality + thumbnail from the full-size decode instead (reference)"] = [];
        var scratch = Path.Combine(Path.GetTempPath(), $"atelier-stages-{Environment.ProcessId}");

        Once(files[0], new BlobStore(Path.Combine(scratch, "warm", "b"), Path.Combine(scratch, "warm", "t")), new double[Stages.Length]);
        for (int pass = 0; pass < passes; pass++)
        {
            // A fresh store each pass, or every Put after the first would skip as already stored.
            var blobs = new BlobStore(Path.Combine(scratch, $"p{pass}", "b"), Path.Combine(scratch, $"p{pass}", "t"));
            var sums = new double[Stages.Length];
            foreach (var file in files) Once(file, blobs, sums);
            for (int s = 0; s < Stages.Length; s++) totals[Stages[s]].Add(sums[s]);

            var full = Stopwatch.StartNew();
            foreach (var file in files) GC.KeepAlive(ImageDecoder.Decode(File.ReadAllBytes(file)));
            totals["decode full size (reference)"].Add(full.Elapsed.TotalSeconds);

            // The one-decode alternative: quality measures and thumbnail from the full-size pixels PDQ needs anyway.
            var fromFull = new Stopwatch();
            foreach (var file in files)
            {
                var image = ImageDecoder.Decode(File.ReadAllBytes(file));
                fromFull.Start();
                GC.KeepAlive(QualityMeasures.Measure(image));
                GC.KeepAlive(ImageEncoder.EncodePng(ImageResizer.Thumbnail(image, ThumbnailSide), fast: true));
                fromFull.Stop();
            }

            totals["quality + thumbnail from the full-size decode instead (reference)"].Add(fromFull.Elapsed.TotalSeconds);

            // The same two writes (temporary file, then rename) minus the flush to disk: what the
            // blob stage would cost if durability were ensured once per batch instead of per file.
            var plain = Path.Combine(scratch, $"plain{pass}");
            Directory.CreateDirectory(plain);
            var unsynced = new Stopwatch();
            foreach (var file in files)
            {
                var bytes = File.ReadAllBytes(file);
                var thumb = ImageEncoder.EncodePng(ImageResizer.Thumbnail(ImageDecoder.Decode(bytes, DecodeOptions.Analysis), ThumbnailSide));
                var blobsToWrite = new[] { bytes, thumb }.Select(b => (Bytes: b, Name: Path.Combine(plain, Convert.ToHexStringLower(SHA256.HashData(b))))).ToArray();
                unsynced.Start();
                foreach (var (blob, name) in blobsToWrite)
                {
                    File.WriteAllBytes(name + ".tmp", blob);
                    File.Move(name + ".tmp", name, overwrite: true);
                }

                unsynced.Stop();
            }

            totals["both blob writes without fsync (reference)"].Add(unsynced.Elapsed.TotalSeconds);
        }

        Directory.Delete(scratch, recursive: true);
        double pipeline = Stages.Sum(s => Median(totals[s]));
        Console.WriteLine($"# {files.Length} files from {folder}, {passes} passes, one thread; median seconds per pass");
        Console.WriteLine("stage | total s | ms/image | share of worker time");
        foreach (var (stage, times) in totals)
        {
            double m = Median(times);
            string share = Stages.Contains(stage) ? $"{100 * m / pipeline:F1} %" : "-";
            Console.WriteLine($"{stage} | {m:F3} | {1000 * m / files.Length:F2} | {share}");
        }

        Console.WriteLine($"sum of worker stages | {pipeline:F3} | {1000 * pipeline / files.Length:F2} | 100 %");
    }

    private static void Once(string file, BlobStore blobs, double[] sums)
    {
        var sw = Stopwatch.StartNew();
        int s = 0;
        void Lap() { sums[s++] += sw.Elapsed.TotalSeconds; sw.Restart(); }

        var bytes = File.ReadAllBytes(file); Lap();
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes)); Lap();
        var info = ImageProbe.Read(bytes); Lap();
        var image = ImageDecoder.Decode(bytes, DecodeOptions.Analysis); Lap();
        // As ingest: PDQ hashes the full-size pixels, decoded again when the analysis decode was scaled.
        var full = (long)image.Width * image.Height < (long)info.Width * info.Height ? ImageDecoder.Decode(bytes) : image; Lap();
        GC.KeepAlive(PdqHasher.HashRgba(full.Pixels, full.Width, full.Height)); Lap();
        GC.KeepAlive(QualityMeasures.Measure(image)); Lap();
        // As ingest: a small PNG of nothing but pixels is its own thumbnail (those stages then cost nothing).
        var ownThumbnail = ImageProbe.IsItsOwnThumbnail(info, bytes, ThumbnailSide);
        var thumb = ownThumbnail ? null : ImageResizer.Thumbnail(image, ThumbnailSide); Lap();
        var png = thumb is null ? null : ImageEncoder.EncodePng(thumb, fast: true); Lap();
        blobs.Put(sha, bytes, durable: false); Lap();
        if (png is not null) blobs.PutDeferred(png);
        Lap();
        // The pipeline makes blobs durable once per catalog batch of 64 images, as here.
        if (++_sinceSync == 64) { blobs.Flush(); _sinceSync = 0; }
        Lap();
    }

    private static int _sinceSync;

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
