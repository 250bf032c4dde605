namespace Atelier.Catalog;

/// <summary>Writes a file so that a reader (or a crash) sees either the old file or the whole new one.</summary>
public static class AtomicFile
{
    /// <param name="mode">Unix permissions the file is created with, from its first byte (a secret must never be readable
    /// by others, not even for the moment between writing and a chmod). Null: the usual 0666 less the umask.</param>
    /// <param name="replace">False: refuse (IOException) when <paramref name="path"/> exists, checked atomically with the rename,
    /// so of two processes creating the same file exactly one does.</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes, string? tempDirectory = null, bool flushToDisk = true, bool replace = true,
        UnixFileMode? mode = null)
    {
        var dir = tempDirectory ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = Create(temp, mode))
            {
                RandomAccess.Write(file.SafeFileHandle, bytes, 0);
                if (flushToDisk) RandomAccess.FlushToDisk(file.SafeFileHandle);
            }
            TempWritten.Value?.Invoke(temp);
            if (replace || !LinkNoReplace(temp, path)) File.Move(temp, path, overwrite: replace);
            else TryDelete(temp);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Tests watch the temporary file here, whole but not yet in place (per async flow, so parallel tests do not mix).</summary>
    internal static readonly AsyncLocal<Action<string>?> TempWritten = new();

    /// <summary>Unbuffered (one write, no copy through a buffer); with <paramref name="mode"/> passed to open(2) itself.</summary>
    private static FileStream Create(string temp, UnixFileMode? mode)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        if (mode is { } m && !OperatingSystem.IsWindows()) options.UnixCreateMode = m;
        return new FileStream(temp, options);
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
