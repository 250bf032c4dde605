namespace Atelier.Catalog;

/// <summary>
/// A lock between processes on one workspace, held while the returned handle is open. It is the
/// operating system's advisory lock on a lock file (.NET opens with <see cref="FileShare.None"/> as
/// flock on Unix), so a killed process never leaves it held. The lock file itself stays: it is only a lock.
/// </summary>
public static class FileLock
{
    /// <summary>Takes the lock, or returns null at once when another process (or another handle here) holds it.</summary>
    public static IDisposable? TryTake(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    /// <summary>Takes the lock, waiting while another process holds it (until <paramref name="cancellation"/> fires).</summary>
    public static IDisposable Take(string path, CancellationToken cancellation = default)
    {
        for (var wait = 5; ; wait = Math.Min(wait * 2, 200))
        {
            if (TryTake(path) is { } held) return held;
            cancellation.WaitHandle.WaitOne(wait);
            cancellation.ThrowIfCancellationRequested();
        }
    }
}
