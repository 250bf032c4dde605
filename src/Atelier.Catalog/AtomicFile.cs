namespace Atelier.Catalog;

/// <summary>Writes a file so that a reader (or a crash) sees either the old file or the whole new one.</summary>
public static class AtomicFile
{
    /// <param name="replace">False: refuse (IOException) when <paramref name="path"/> exists, checked atomically with the rename,
    /// so of two processes creating the same file exactly one does.</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, string? tempDirectory = null, bool flushToDisk = true, bool replace = true)
    {
        var dir = tempDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // One unbuffered write: no copy through a FileStream buffer.
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(handle, bytes, 0);
                if (flushToDisk) RandomAccess.FlushToDisk(handle);
            }
            File.Move(temp, path, overwrite: replace);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
