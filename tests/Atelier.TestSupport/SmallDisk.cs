using System.Diagnostics;

namespace Atelier.TestSupport;

/// <summary>
/// A tiny tmpfs mounted inside a temp folder, so a test can fill the disk for real. Mounting needs
/// root: <see cref="TryMount"/> returns null where it is not permitted and the test skips.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly TempDir _parent;

    private SmallDisk(TempDir parent, string path)
    {
        _parent = parent;
        Path = path;
    }

    public string Path { get; }

    public static SmallDisk? TryMount(int megabytes)
    {
        var parent = new TempDir();
        var path = System.IO.Path.Combine(parent.Path, "small-disk");
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path)) return new SmallDisk(parent, path);
        parent.Dispose();
        return null;
    }

    /// <summary>Makes room (or takes it away) without losing what is on the disk.</summary>
    public void Resize(int megabytes)
    {
        if (!Run("mount", "-o", $"remount,size={megabytes}m", Path)) throw new InvalidOperationException($"could not resize the tmpfs at {Path}");
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        _parent.Dispose();
    }

    private static bool Run(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var p = Process.Start(info)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
