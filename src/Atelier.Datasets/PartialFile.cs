using System.Security.Cryptography;

namespace Atelier.Datasets;

/// <summary>
/// Write-then-rename helpers for exports (distinct from Catalog's AtomicFile: these never replace an existing file). Files are written under a ".partial" name and only get their final
/// name once flushed to disk, so a killed export never leaves a half file under a complete-looking name.
/// </summary>
public static class PartialFile
{
    public const string PartialSuffix = ".partial";

    public static string PartialPath(string finalPath) => finalPath + PartialSuffix;

    public static void WriteAllBytes(string finalPath, ReadOnlySpan<byte> bytes)
    {
        string partial = PartialPath(finalPath);
        using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        Commit(partial, finalPath);
    }

    /// <summary>Renames a finished partial file to its final name; refuses to replace an existing file.</summary>
    public static void Commit(string partialPath, string finalPath)
    {
        try
        {
            File.Move(partialPath, finalPath, overwrite: false);
        }
        catch (IOException) when (File.Exists(finalPath))
        {
            File.Delete(partialPath);
            throw new DatasetException(DatasetErrorCode.ExportExists, $"{finalPath} already exists; export into an empty folder");
        }
    }

    public static void DeleteQuietly(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static string Sha256OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
