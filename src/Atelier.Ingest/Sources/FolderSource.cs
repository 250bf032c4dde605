using System.Runtime.CompilerServices;

namespace Atelier.Ingest.Sources;

/// <summary>
/// A directory, read recursively in ordinal path order. Hidden entries, sidecars and manifests are not items; files the imaging
/// layer does not read are skipped, each counted with its reason; archives in it are read as archive sources.
/// Symlinks are followed only to files inside the folder; ones that leave it are rejected; linked folders are not entered.
/// </summary>
public sealed class FolderSource : IIngestSource
{
    private readonly string _root;
    private readonly SourceOptions _options;

    public FolderSource(string directory, SourceOptions options)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _options = options;
    }

    public string Description => "folder:" + _root;

    public async IAsyncEnumerable<IngestOutcome> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var realRoot = RealPath(_root);
        var files = new List<string>();
        var early = new List<IngestOutcome>();
        Walk(_root, "", realRoot, files, early);
        // The manifest the user pointed at may live in the folder: it is metadata, not a file to count.
        if (_options.ExternalManifestPath is { } manifestPath && manifestPath.StartsWith(_root + "/", StringComparison.Ordinal))
            files.Remove(manifestPath[(_root.Length + 1)..]);

        // Manifests first: one that cannot be read stops the folder before anything of it is yielded.
        var layout = ContainerLayout.Build(files, _options, allowNestedManifestBase: false, ReadHeader, openArchives: true);
        var prefix = "folder:" + _root + "/";
        var metadata = new ContainerMetadata(layout, _options, prefix, rel => ReadFile(rel));
        foreach (var r in early) yield return r;
        foreach (var (rel, code, message) in layout.Skipped) yield return ContainerLayout.Skip(prefix + rel, rel, code, message);
        foreach (var r in metadata.ManifestRejections) yield return r;

        foreach (var rel in layout.Candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var origin = prefix + rel;
            if (_options.ShouldSkip(origin)) continue;
            yield return metadata.Outcome(rel, origin, () => ReadFile(rel), e => e is IOException or UnauthorizedAccessException
                ? new IngestRejection(origin, RejectionCodes.Unreadable, e.Message.ReplaceLineEndings(" "))
                : null);
        }

        // Archives in the folder are read exactly as if each were given as a SOURCE: same limits, same origins.
        foreach (var rel in layout.Archives)
        {
            var path = Path.Combine(_root, rel);
            IIngestSource archive = FileKinds.ArchiveOf(rel) == FileKinds.Archive.Zip ? new ZipSource(path, _options) : new TarSource(path, _options);
            await foreach (var outcome in archive.ReadAsync(cancellationToken)) yield return outcome;
        }
    }

    private byte[] ReadHeader(string relative)
    {
        using var stream = new FileStream(Path.Combine(_root, relative), FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        return FileKinds.ReadHeader(stream);
    }

    private byte[] ReadFile(string relative)
    {
        var path = Path.Combine(_root, relative);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return BoundedRead.ReadAll(stream, _options.MaxFileBytes, stream.Length);
    }

    private void Walk(string dir, string relDir, string realRoot, List<string> files, List<IngestOutcome> rejections)
    {
        FileSystemInfo[] entries;
        try { entries = new DirectoryInfo(dir).GetFileSystemInfos(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            rejections.Add(new IngestRejection("folder:" + dir, RejectionCodes.Unreadable, e.Message.ReplaceLineEndings(" ")));
            return;
        }
        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var rel = relDir.Length == 0 ? entry.Name : relDir + "/" + entry.Name;
            if (entry.Name.StartsWith('.') || (entry.Attributes & FileAttributes.Hidden) != 0)
            {
                rejections.Add(ContainerLayout.Skip("folder:" + _root + "/" + rel, rel, RejectionCodes.HiddenFile,
                    entry is DirectoryInfo ? "hidden folder: not entered" : "hidden file: not read"));
                continue;
            }
            if (entry.LinkTarget is not null)
            {
                string? target;
                try { target = entry.ResolveLinkTarget(returnFinalTarget: true)?.FullName; }
                catch (IOException) { target = null; }
                if (target is null || !IsInside(RealPath(target), realRoot))
                {
                    rejections.Add(new IngestRejection("folder:" + _root + "/" + rel, RejectionCodes.LinkEscapesFolder,
                        $"symbolic link to '{target ?? "?"}' leaves the source folder"));
                    continue;
                }
                // Linked folders inside the root are already walked through their real path.
                if (File.Exists(target)) files.Add(rel);
                continue;
            }
            if (entry is DirectoryInfo) Walk(entry.FullName, rel, realRoot, files, rejections);
            else files.Add(rel);
        }
    }

    private static bool IsInside(string path, string root) =>
        path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Resolves symlinks in every component (libc realpath where there is one), so a linked root compares correctly.</summary>
    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows()) return Path.TrimEndingDirectorySeparator(full);
        var resolved = NativeRealPath(full, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return Path.TrimEndingDirectorySeparator(full);
        try { return Path.TrimEndingDirectorySeparator(System.Runtime.InteropServices.Marshal.PtrToStringUTF8(resolved) ?? full); }
        finally { NativeFree(resolved); }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "realpath", CharSet = System.Runtime.InteropServices.CharSet.Ansi)]
    private static extern IntPtr NativeRealPath(string path, IntPtr resolved);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "free")]
    private static extern void NativeFree(IntPtr pointer);
}
