using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Atelier.Catalog;

/// <summary>
/// Content-addressed store: a blob lives at <c>blobs/ab/&lt;sha256&gt;</c>. Blobs are written to a
/// temporary file and renamed, so a killed process never leaves a half-written blob under its final
/// name; leftovers in the temporary folder (one subfolder per writing thread) are removed on open once
/// they are an hour old. (Creating them as unnamed files with O_TMPFILE and linking them into place
/// measured no faster on ext4: docs/benchmarks/ingest.md.) <see cref="Put(string, ReadOnlySpan{byte}, bool)"/>
/// with <c>durable: false</c> skips the per-file fsync; <see cref="Flush"/> then makes every such blob durable at once, and must
/// run before the catalog commits rows that point at them.
/// </summary>
public sealed partial class BlobStore
{
    private readonly ConcurrentQueue<string> _unflushed = new();
    private readonly ConcurrentDictionary<string, bool> _folders = new(StringComparer.Ordinal);

    /// <summary>How old a temporary file must be before opening the store removes it as a killed process's leftover.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    private readonly string _root;
    private readonly string _temp;

    public BlobStore(string root, string tempDirectory)
    {
        _root = root;
        _temp = tempDirectory;
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_temp);
        // Only old leftovers go: a recent one may be a blob that another process (an ingest still running) is about to
        // rename into place.
        var before = DateTime.UtcNow - StaleAfter;
        foreach (var stale in Directory.EnumerateFiles(_temp, "*.tmp", SearchOption.AllDirectories))
            if (File.GetLastWriteTimeUtc(stale) < before) AtomicFile.TryDelete(stale);
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    // One level of 256 folders, as git does: two levels cost a mkdir for nearly every new blob.
    public string PathOf(string sha256) => Path.Combine(_root, sha256[..2], sha256);

    public bool Contains(string sha256) => File.Exists(PathOf(sha256));

    /// <summary>Stores the bytes (if not already there) and returns their SHA-256.</summary>
    public string Put(ReadOnlySpan<byte> bytes)
    {
        var sha = Sha256Hex(bytes);
        Put(sha, bytes);
        return sha;
    }

    /// <summary>Stores bytes whose SHA-256 the caller already computed.</summary>
    public void Put(string sha256, ReadOnlySpan<byte> bytes, bool durable = true)
    {
        var path = PathOf(sha256);
        // A blob of the right length is whole: it was renamed into place only after being written.
        // A shorter one can only be a leftover of a power cut before a flush, so it is written again.
        var existing = new FileInfo(path);
        if (existing.Exists && existing.Length == bytes.Length) return;
        var folder = Path.GetDirectoryName(path)!;
        // Created before it is remembered, so no other worker can see it remembered but missing.
        if (!_folders.ContainsKey(folder))
        {
            Directory.CreateDirectory(folder);
            _folders.TryAdd(folder, true);
        }
        // One temporary folder per thread: parallel workers creating files in one folder wait on its lock.
        AtomicFile.WriteAllBytes(path, bytes, Path.Combine(_temp, "w" + (Environment.CurrentManagedThreadId % 8)), flushToDisk: durable);
        if (!durable) _unflushed.Enqueue(path);
    }

    /// <summary>Stores bytes (if not already there) without waiting for the disk; see <see cref="Flush"/>.</summary>
    public string PutDeferred(ReadOnlySpan<byte> bytes)
    {
        var sha = Sha256Hex(bytes);
        Put(sha, bytes, durable: false);
        return sha;
    }

    /// <summary>
    /// Makes every blob stored with <c>durable: false</c> durable. On Linux one <c>syncfs</c> flushes
    /// the whole file system in a single call (far cheaper than one fsync per file); elsewhere each
    /// file is flushed.
    /// </summary>
    public void Flush()
    {
        if (_unflushed.IsEmpty) return;
        var paths = new List<string>();
        while (_unflushed.TryDequeue(out var p)) paths.Add(p);
        if (OperatingSystem.IsLinux() && SyncFileSystem(paths[0])) return;
        foreach (var path in paths)
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            f.Flush(flushToDisk: true);
        }
    }

    private static bool SyncFileSystem(string fileOnIt)
    {
        using var handle = File.OpenHandle(fileOnIt, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return SyncFs(handle.DangerousGetHandle().ToInt32()) == 0;
    }

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    /// <summary>Removes a blob (quarantine, replaced sealed blobs); false when it was not there.</summary>
    public bool Delete(string sha256)
    {
        var path = PathOf(sha256);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    public byte[] Read(string sha256)
    {
        var path = PathOf(sha256);
        if (!File.Exists(path)) throw new AtelierException("missing-blob", $"blob {sha256} is missing from the store");
        return File.ReadAllBytes(path);
    }
}
