using System.Security.Cryptography;

namespace Atelier.Catalog;

/// <summary>
/// Content-addressed store: a blob lives at <c>blobs/ab/cd/&lt;sha256&gt;</c>. Blobs are written to a
/// temporary file, flushed and renamed, so a killed process never leaves a half-written blob
/// under its final name; leftovers in the temporary folder are removed on open.
/// </summary>
public sealed class BlobStore
{
    private readonly string _root;
    private readonly string _temp;

    public BlobStore(string root, string tempDirectory)
    {
        _root = root;
        _temp = tempDirectory;
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_temp);
        foreach (var stale in Directory.EnumerateFiles(_temp, "*.tmp")) AtomicFile.TryDelete(stale);
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public string PathOf(string sha256) => Path.Combine(_root, sha256[..2], sha256[2..4], sha256);

    public bool Contains(string sha256) => File.Exists(PathOf(sha256));

    /// <summary>Stores the bytes (if not already there) and returns their SHA-256.</summary>
    public string Put(ReadOnlySpan<byte> bytes)
    {
        var sha = Sha256Hex(bytes);
        Put(sha, bytes);
        return sha;
    }

    /// <summary>Stores bytes whose SHA-256 the caller already computed.</summary>
    public void Put(string sha256, ReadOnlySpan<byte> bytes)
    {
        var path = PathOf(sha256);
        if (File.Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, bytes, _temp);
    }

    public byte[] Read(string sha256)
    {
        var path = PathOf(sha256);
        if (!File.Exists(path)) throw new AtelierException("missing-blob", $"blob {sha256} is missing from the store");
        return File.ReadAllBytes(path);
    }
}
