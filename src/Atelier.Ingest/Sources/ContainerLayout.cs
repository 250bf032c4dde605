using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Sources;

/// <summary>
/// Sorts the files of a folder or archive (relative, '/'-separated paths) into candidates, sidecars and manifests.
/// Hidden files/folders (leading '.') and <c>__MACOSX</c>, files the imaging layer does not read, and archives inside archives
/// are skipped, each with its reason (<see cref="Skipped"/>); archives in a folder are opened as sources (<see cref="Archives"/>).
/// </summary>
internal sealed class ContainerLayout
{
    private readonly HashSet<string> _files;
    private readonly Dictionary<string, (string? Txt, string? Json)> _sidecars = new(StringComparer.Ordinal);

    /// <summary>Folder the manifests live in: the root, or an archive's single top-level folder (npm's <c>package/</c>).</summary>
    public string ManifestBase { get; }
    public IReadOnlyList<string> Manifests { get; }
    public IReadOnlyList<string> Candidates { get; private set; } = [];

    private ContainerLayout(HashSet<string> files, string manifestBase, List<string> manifests)
    {
        _files = files;
        ManifestBase = manifestBase;
        Manifests = manifests;
    }

    public (string? Txt, string? Json) SidecarsOf(string candidate) =>
        _sidecars.TryGetValue(candidate, out var s) ? s : (null, null);

    /// <summary>
    /// Sorts <paramref name="paths"/>. <paramref name="header"/> reads a file's first bytes, for files whose extension does not
    /// already say they are images (<see cref="FileKinds.IsImage"/>). Archives become <see cref="Archives"/> when
    /// <paramref name="openArchives"/> (a folder), else they are skipped (an archive inside an archive is not opened).
    /// </summary>
    public static ContainerLayout Build(IEnumerable<string> paths, SourceOptions options, bool allowNestedManifestBase, Func<string, byte[]> header, bool openArchives)
    {
        var files = new HashSet<string>(paths, StringComparer.Ordinal);
        var ordered = files.Order(StringComparer.Ordinal).ToList();
        var visible = ordered.Where(p => !IsHidden(p)).ToList();

        var manifestBase = "";
        bool RootHasManifest(string b) => visible.Any(p => p.StartsWith(b, StringComparison.Ordinal)
            && p.IndexOf('/', b.Length) < 0 && ManifestIndex.IsManifestName(p[b.Length..], options.ManifestFileName));
        if (!RootHasManifest("") && allowNestedManifestBase && visible.Count > 0)
        {
            int slash = visible[0].IndexOf('/');
            if (slash > 0)
            {
                var top = visible[0][..(slash + 1)];
                if (visible.All(p => p.StartsWith(top, StringComparison.Ordinal)) && RootHasManifest(top)) manifestBase = top;
            }
        }
        var manifests = visible.Where(p => p.StartsWith(manifestBase, StringComparison.Ordinal)
            && p.IndexOf('/', manifestBase.Length) < 0
            && ManifestIndex.IsManifestName(p[manifestBase.Length..], options.ManifestFileName)).ToHashSet(StringComparer.Ordinal);

        var layout = new ContainerLayout(files, manifestBase, manifests.Order(StringComparer.Ordinal).ToList());
        foreach (var p in ordered.Where(IsHidden))
            layout._skipped.Add((p, RejectionCodes.HiddenFile, "hidden file (a leading '.' or __MACOSX): not read"));
        var images = new List<string>();
        var maybeSidecars = new List<string>();
        foreach (var p in visible.Where(p => !manifests.Contains(p)))
        {
            if (FileKinds.ArchiveOf(p) is not null)
            {
                if (openArchives) layout._archives.Add(p);
                else layout._skipped.Add((p, RejectionCodes.NestedArchive, "an archive inside an archive is not opened; extract the outer one and ingest the folder"));
            }
            else if (IsSidecarExtension(p)) maybeSidecars.Add(p);
            else if (FileKinds.IsImage(p, () => header(p))) images.Add(p);
            else layout._skipped.Add((p, RejectionCodes.UnsupportedFile, FileKinds.UnsupportedMessage(p)));
        }
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in images)
        {
            var txt = layout.FindSidecar(path, ".txt");
            var json = layout.FindSidecar(path, ".json");
            if (txt is null && json is null) continue;
            layout._sidecars[path] = (txt, json);
            if (txt is not null) claimed.Add(txt);
            if (json is not null) claimed.Add(json);
        }
        foreach (var p in maybeSidecars.Where(p => !claimed.Contains(p)))
            layout._skipped.Add((p, RejectionCodes.UnsupportedFile, $"not an image, and no image's sidecar ({FileKinds.ExtensionOf(p)})"));
        layout._skipped.Sort((a, b) => StringComparer.Ordinal.Compare(a.Path, b.Path));
        layout.Candidates = images;
        return layout;
    }

    /// <summary>Archives found in a folder, opened as sources of their own.</summary>
    public IReadOnlyList<string> Archives => _archives;

    /// <summary>Files that are no image to ingest, with the reason code and message, in path order.</summary>
    public IReadOnlyList<(string Path, string Code, string Message)> Skipped => _skipped;

    private readonly List<string> _archives = [];
    private readonly List<(string Path, string Code, string Message)> _skipped = [];

    /// <summary>The outcome recording one skipped file.</summary>
    public static IngestSkip Skip(string origin, string path, string code, string message) =>
        new(origin, FileKinds.ExtensionOf(path), code, message);

    private string? FindSidecar(string path, string ext)
    {
        // gallery-dl style "a.png.json" wins over kohya style "a.json".
        var full = path + ext;
        if (_files.Contains(full)) return full;
        int slash = path.LastIndexOf('/');
        int dot = path.LastIndexOf('.');
        if (dot <= slash + 1) return null;
        var stem = path[..dot] + ext;
        return _files.Contains(stem) ? stem : null;
    }

    private static bool IsSidecarExtension(string path) =>
        path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    public static bool IsHidden(string path)
    {
        foreach (var segment in path.Split('/'))
            if (segment.StartsWith('.') || segment == "__MACOSX") return true;
        return false;
    }
}
