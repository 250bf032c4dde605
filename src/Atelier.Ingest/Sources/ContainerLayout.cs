using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Sources;

/// <summary>
/// Sorts the files of a folder or archive (relative, '/'-separated paths) into candidates, sidecars and manifests.
/// Hidden files/folders (leading '.') and <c>__MACOSX</c> are ignored; so are files whose extension is not allowed.
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

    public static ContainerLayout Build(IEnumerable<string> paths, SourceOptions options, bool allowNestedManifestBase)
    {
        var files = new HashSet<string>(paths, StringComparer.Ordinal);
        var visible = files.Where(p => !IsHidden(p)).ToList();

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

        var preliminary = visible.Where(p => !manifests.Contains(p) && Allowed(p, options)).ToList();
        var layout = new ContainerLayout(files, manifestBase, manifests.Order(StringComparer.Ordinal).ToList());
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in preliminary)
        {
            if (IsSidecarExtension(path)) continue;
            var txt = layout.FindSidecar(path, ".txt");
            var json = layout.FindSidecar(path, ".json");
            if (txt is null && json is null) continue;
            layout._sidecars[path] = (txt, json);
            if (txt is not null) claimed.Add(txt);
            if (json is not null) claimed.Add(json);
        }
        layout.Candidates = preliminary.Where(p => !claimed.Contains(p)).Order(StringComparer.Ordinal).ToList();
        return layout;
    }

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

    private static bool Allowed(string path, SourceOptions options) =>
        options.ImageExtensions is null || options.ImageExtensions.Contains(Path.GetExtension(path));

    public static bool IsHidden(string path)
    {
        foreach (var segment in path.Split('/'))
            if (segment.StartsWith('.') || segment == "__MACOSX") return true;
        return false;
    }
}
