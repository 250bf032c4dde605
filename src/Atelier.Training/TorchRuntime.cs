using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Atelier.Training;

/// <summary>
/// Makes TorchSharp's native bridge loadable on older Linux distributions. libLibTorchSharp.so
/// 0.107.0 asks libstdc++ for GLIBCXX_3.4.32 (GCC 13) only for one symbol it never binds, so on
/// Debian 12 (GCC 12, up to 3.4.30) the loader refuses it. Marking that one need weak in the build
/// output's copy lets it load; the NuGet cache is never touched.
/// </summary>
public static class TorchRuntime
{
    /// <summary>The version the shipped library asks for and Debian 12 lacks.</summary>
    public const string MissingVersion = "GLIBCXX_3.4.32";

    const string LibraryFileName = "libLibTorchSharp.so";
    const string DefaultLibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";

    static readonly Lock Gate = new();
    static TorchLoadPreparation? done;

    /// <summary>
    /// Call before the first use of TorchSharp. On Linux x64 finds the output copy of
    /// libLibTorchSharp.so next to the running assemblies and patches it when the system
    /// libstdc++ lacks <see cref="MissingVersion"/>. Safe to call repeatedly.
    /// </summary>
    /// <exception cref="TorchRuntimeException">The library is missing or cannot be patched.</exception>
    public static TorchLoadPreparation EnsureLoadable()
    {
        lock (Gate)
        {
            if (done is { } result) return result;
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
                return (done = TorchLoadPreparation.NotNeeded).Value;
            result = EnsureLoadable(FindOutputLibrary(), FindSystemLibStdCxx());
            TorchBackends.Configure();
            done = result;
            return result;
        }
    }

    /// <summary>The same for an explicit library and libstdc++ (used by tests and diagnostics).</summary>
    public static TorchLoadPreparation EnsureLoadable(string libraryPath, string systemLibStdCxxPath)
    {
        if (!File.Exists(libraryPath))
            throw new TorchRuntimeException("library-missing", $"{libraryPath} does not exist");
        if (SystemDefines(systemLibStdCxxPath, MissingVersion))
            return TorchLoadPreparation.SystemLibraryIsNewEnough;
        return PatchCopy(libraryPath);
    }

    /// <summary>
    /// Marks the <see cref="MissingVersion"/> need weak in <paramref name="libraryPath"/>, atomically
    /// (temp file + rename). Refuses paths inside the NuGet package cache, which other builds share.
    /// </summary>
    public static TorchLoadPreparation PatchCopy(string libraryPath)
    {
        string full = Path.GetFullPath(libraryPath);
        if (IsInNuGetCache(full))
            throw new TorchRuntimeException("in-nuget-cache", $"refusing to patch {full}: it is inside the shared NuGet package cache");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(full); }
        catch (IOException e) { throw new TorchRuntimeException("library-missing", $"cannot read {full}: {e.Message}", e); }

        bool changed;
        try { changed = ElfVersionNeeds.MarkWeak(bytes, MissingVersion); }
        catch (ElfFormatException e) { throw new TorchRuntimeException("unpatchable", $"{full}: {e.Message}", e); }
        if (!changed) return TorchLoadPreparation.AlreadyPatched;

        // Same folder so the rename is atomic; a process that already mapped the old file keeps it.
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllBytes(temp, bytes);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
            // Keep the shipped timestamp: MSBuild skips re-copying same size + time, so rebuilds keep the patch.
            File.SetLastWriteTimeUtc(temp, File.GetLastWriteTimeUtc(full));
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new TorchRuntimeException("unpatchable", $"cannot rewrite {full}: {e.Message}", e);
        }
        return TorchLoadPreparation.Patched;
    }

    /// <summary>Whether the libstdc++ at <paramref name="path"/> defines the symbol version <paramref name="version"/>.</summary>
    public static bool SystemDefines(string path, string version)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new TorchRuntimeException("libstdcxx-missing", $"cannot read {path}: {e.Message}", e); }
        var defined = ElfVersionNeeds.ListDefinitions(bytes);
        if (defined.Count > 0) return defined.Contains(version);
        // No section headers (a stripped build): fall back to the name in its string data.
        return bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("\0" + version + "\0")) >= 0;
    }

    /// <summary>The copy of libLibTorchSharp.so the runtime will load: beside the app or in its runtimes folder.</summary>
    public static string FindOutputLibrary()
    {
        var folders = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location) }
            .Where(f => !string.IsNullOrEmpty(f)).Distinct().ToList();
        foreach (var folder in folders)
        {
            foreach (var candidate in new[] { Path.Combine(folder!, LibraryFileName), Path.Combine(folder!, "runtimes", "linux-x64", "native", LibraryFileName) })
                if (File.Exists(candidate)) return candidate;
        }
        throw new TorchRuntimeException("library-missing", $"{LibraryFileName} not found beside the app or in runtimes/linux-x64/native under {string.Join(", ", folders)}");
    }

    /// <summary>The libstdc++.so.6 the dynamic loader would pick, per <c>ldconfig -p</c>.</summary>
    public static string FindSystemLibStdCxx()
    {
        try
        {
            var info = new ProcessStartInfo("ldconfig", "-p") { RedirectStandardOutput = true, RedirectStandardError = true };
            if (File.Exists("/sbin/ldconfig")) info.FileName = "/sbin/ldconfig";
            using var process = Process.Start(info);
            if (process is not null)
            {
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                foreach (var line in output.Split('\n'))
                {
                    // e.g. "	libstdc++.so.6 (libc6,x86-64) => /lib/x86_64-linux-gnu/libstdc++.so.6"
                    var t = line.Trim();
                    int arrow = t.IndexOf("=>", StringComparison.Ordinal);
                    if (t.StartsWith("libstdc++.so.6 ", StringComparison.Ordinal) && t.Contains("x86-64") && arrow > 0)
                        return t[(arrow + 2)..].Trim();
                }
            }
        }
        catch (System.ComponentModel.Win32Exception) { /* no ldconfig: use the Debian path */ }
        return DefaultLibStdCxx;
    }

    static bool IsInNuGetCache(string fullPath)
    {
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured) roots.Add(configured);
        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));
        return IsUnderAny(fullPath, roots);
    }

    /// <summary>Whether <paramref name="fullPath"/> lies under one of <paramref name="roots"/>, symlinks resolved.</summary>
    internal static bool IsUnderAny(string fullPath, IEnumerable<string> roots)
    {
        // Compare real paths so a symlinked output folder cannot lead into the cache.
        string real = RealPath(fullPath);
        return roots.Select(r => Path.TrimEndingDirectorySeparator(RealPath(Path.GetFullPath(r))) + Path.DirectorySeparatorChar)
            .Any(root => fullPath.StartsWith(root, StringComparison.Ordinal) || real.StartsWith(root, StringComparison.Ordinal));
    }

    static string RealPath(string path)
    {
        try
        {
            // LinkTarget is null for a missing path or a plain file/folder; then resolve the parent.
            var info = new FileInfo(path);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                return target.FullName;
            string? parent = Path.GetDirectoryName(path);
            return parent is null ? path : Path.Combine(RealPath(parent), Path.GetFileName(path));
        }
        catch (IOException) { return path; }
    }
}
