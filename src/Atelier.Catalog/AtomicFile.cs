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
            if (replace || !LinkNoReplace(temp, path)) File.Move(temp, path, overwrite: replace);
            else TryDelete(temp);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// link(2) fails with EEXIST when the name exists, atomically. .NET's File.Move without overwrite falls back
    /// to "check, then rename" where it cannot link, which lets two processes both win. False: linking is not
    /// possible here (not Linux, or a file system without hard links); the caller then moves as before.
    /// </summary>
    private static bool LinkNoReplace(string temp, string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        if (Link(temp, path) == 0) return true;
        int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        const int EEXIST = 17;
        if (errno == EEXIST) throw new IOException($"{path} already exists");
        return false;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string existing,
        [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.LPUTF8Str)] string newName);

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
