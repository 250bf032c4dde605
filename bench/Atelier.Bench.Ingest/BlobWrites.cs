using System.Diagnostics;
using Atelier.Catalog;

namespace Atelier.Bench.Ingest;

/// <summary>
/// Compares two ways to create a blob, file by file in alternation (and in alternating order) so
/// that the load of a shared machine hits both alike: the blob store's own
/// <see cref="BlobStore.Put(string, ReadOnlySpan{byte}, bool)"/> (temporary file, then rename) and an
/// unnamed O_TMPFILE file linked into place (<see cref="UnnamedFile"/>, Linux). No fsync in either;
/// one syncfs per 64 files.
/// </summary>
internal static class BlobWrites
{
    public static void Run(string folder, int passes, int limit)
    {
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Take(limit).Select(File.ReadAllBytes).ToArray();
        var scratch = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder))!, $"blobwrites-{Environment.ProcessId}");
        var renamed = new List<double>();
        var linked = new List<double>();
        for (int pass = 0; pass < passes; pass++)
        {
            var store = new BlobStore(Path.Combine(scratch, $"p{pass}", "store"), Path.Combine(scratch, $"p{pass}", "tmp"));
            var unnamedRoot = Path.Combine(scratch, $"p{pass}", "unnamed");
            for (int f = 0; f < 256; f++) Directory.CreateDirectory(Path.Combine(unnamedRoot, $"{f:x2}"));
            double a = 0, b = 0;
            for (int i = 0; i < files.Length; i++)
            {
                var sha = BlobStore.Sha256Hex(files[i]);
                // Which goes first alternates too: the second write of a pair can find the disk busier.
                if (i % 2 == 0)
                {
                    a += Time(() => store.Put(sha, files[i], durable: false));
                    b += Time(() => Unnamed(unnamedRoot, sha, files[i]));
                }
                else
                {
                    b += Time(() => Unnamed(unnamedRoot, sha, files[i]));
                    a += Time(() => store.Put(sha, files[i], durable: false));
                }

                if (i % 64 == 63) store.Flush(); // one syncfs: flushes the unnamed files too
            }

            store.Flush();
            renamed.Add(a);
            linked.Add(b);
        }

        Directory.Delete(scratch, recursive: true);
        Console.WriteLine($"# {files.Length} files from {folder}, {passes} passes, alternating; ms per file, median (min-max) over passes");
        Console.WriteLine($"blob store Put (temporary file + rename) | {Summary(renamed, files.Length)}");
        Console.WriteLine($"unnamed file (O_TMPFILE) + linkat | {Summary(linked, files.Length)}");
    }

    private static void Unnamed(string root, string sha, byte[] bytes)
    {
        var path = Path.Combine(root, sha[..2], sha);
        if (File.Exists(path)) return; // as the store skips what it holds
        if (UnnamedFile.TryCreate(Path.Combine(root, sha[..2]), path, bytes, flushToDisk: false) == UnnamedFile.Outcome.Unsupported)
            throw new PlatformNotSupportedException("no O_TMPFILE on this system or file system");
    }

    private static double Time(Action write)
    {
        var sw = Stopwatch.StartNew();
        write();
        return sw.Elapsed.TotalSeconds;
    }

    private static string Summary(List<double> seconds, int files)
    {
        var ms = seconds.Select(s => 1000 * s / files).Order().ToList();
        return $"{ms[ms.Count / 2]:F3} ({ms[0]:F3}-{ms[^1]:F3})";
    }
}
