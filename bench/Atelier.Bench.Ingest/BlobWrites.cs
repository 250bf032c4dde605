using System.Diagnostics;
using Atelier.Catalog;

namespace Atelier.Bench.Ingest;

/// <summary>
/// Compares the two ways a blob can be created, file by file in alternation so that the load of a
/// shared machine hits both alike: the blob store's own <see cref="BlobStore.Put(string, ReadOnlySpan{byte}, bool)"/>
/// (an unnamed O_TMPFILE file linked into place, on Linux) and a temporary file renamed into place
/// (<see cref="AtomicFile"/>, the store's fallback). No fsync in either; one syncfs per 64 files, untimed.
/// </summary>
internal static class BlobWrites
{
    public static void Run(string folder, int passes, int limit)
    {
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Take(limit).Select(File.ReadAllBytes).ToArray();
        var scratch = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder))!, $"blobwrites-{Environment.ProcessId}");
        var linked = new List<double>();
        var renamed = new List<double>();
        for (int pass = 0; pass < passes; pass++)
        {
            var store = new BlobStore(Path.Combine(scratch, $"p{pass}", "store"), Path.Combine(scratch, $"p{pass}", "tmp"));
            var plainRoot = Path.Combine(scratch, $"p{pass}", "plain");
            var plainTemp = Path.Combine(scratch, $"p{pass}", "plain-tmp");
            Directory.CreateDirectory(plainTemp);
            for (int f = 0; f < 256; f++) Directory.CreateDirectory(Path.Combine(plainRoot, $"{f:x2}"));
            double a = 0, b = 0;
            for (int i = 0; i < files.Length; i++)
            {
                var sha = BlobStore.Sha256Hex(files[i]);
                var sw = Stopwatch.StartNew();
                store.Put(sha, files[i], durable: false);
                a += sw.Elapsed.TotalSeconds;
                sw.Restart();
                AtomicFile.WriteAllBytes(Path.Combine(plainRoot, sha[..2], sha), files[i], plainTemp, flushToDisk: false);
                b += sw.Elapsed.TotalSeconds;
                if (i % 64 == 63) store.Flush();
            }

            store.Flush();
            linked.Add(a);
            renamed.Add(b);
        }

        Directory.Delete(scratch, recursive: true);
        Console.WriteLine($"# {files.Length} files from {folder}, {passes} passes, alternating; ms per file, median (min-max) over passes");
        Console.WriteLine($"blob store Put (unnamed file + link where supported) | {Summary(linked, files.Length)}");
        Console.WriteLine($"temporary file + rename | {Summary(renamed, files.Length)}");
    }

    private static string Summary(List<double> seconds, int files)
    {
        var ms = seconds.Select(s => 1000 * s / files).Order().ToList();
        return $"{ms[ms.Count / 2]:F3} ({ms[0]:F3}-{ms[^1]:F3})";
    }
}
