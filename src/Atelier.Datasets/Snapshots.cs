using Atelier.Catalog;

namespace Atelier.Datasets;

/// <summary>Freezes a selection of the catalog into an immutable, content-addressed snapshot.</summary>
public static class Snapshots
{
    /// <summary>
    /// Creates snapshot <paramref name="name"/> from the images matching <paramref name="filter"/>,
    /// leaving out excluded images. The manifest is stored in the blob store under its own SHA-256.
    /// </summary>
    public static (SnapshotRecord Record, SnapshotManifest Manifest) Create(Workspace workspace, string name, string? filter)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || c is '/' or '\\'))
            throw new AtelierException("bad-name", $"'{name}' is not a usable dataset name (no spaces or slashes)");
        var catalog = workspace.Catalog;
        if (catalog.GetSnapshot(name) is not null)
            throw new AtelierException("snapshot-exists", $"a dataset named '{name}' already exists (snapshots are immutable; choose another name)");
        var text = string.IsNullOrWhiteSpace(filter) ? "all" : filter.Trim();
        var selector = Selector.Parse(text + " excluded:no");
        var images = catalog.ListImages(selector);
        if (images.Count == 0) throw new AtelierException("empty-dataset", $"no images match '{text}' (excluded images are left out)");
        var tags = catalog.TagsOf(selector);
        var items = images.Select(i => new SnapshotItem(i.Id, i.Sha256, i.Width, i.Height, i.Rating,
            (tags.GetValueOrDefault(i.Id) ?? []).Select(t => new SnapshotTag(t.Name, t.Category)))).ToList();
        var manifest = new SnapshotManifest(name, DateTimeOffset.UtcNow, text, items,
            new Dictionary<string, string> { ["atelier"] = typeof(Snapshots).Assembly.GetName().Version?.ToString() ?? "0" });
        var manifestSha = workspace.Blobs.Put(manifest.ToCanonicalJson());
        SnapshotRecord record;
        using (var tx = catalog.BeginTransaction())
        {
            record = catalog.AddSnapshot(name, manifest.RootHash, manifestSha, text, images.Select(i => i.Id).ToList());
            tx.Commit();
        }
        return (record, manifest);
    }

    /// <summary>Loads a snapshot's manifest and checks it against the root hash recorded in the catalog.</summary>
    public static (SnapshotRecord Record, SnapshotManifest Manifest) Load(Workspace workspace, string name)
    {
        var record = workspace.Catalog.GetSnapshot(name)
                     ?? throw new AtelierException("unknown-dataset", $"no dataset named '{name}' (see 'atelier dataset list')");
        try
        {
            var manifest = SnapshotManifest.Parse(workspace.Blobs.Read(record.ManifestSha256));
            SnapshotManifest.Verify(manifest, record.RootHash);
            return (record, manifest);
        }
        catch (DatasetException e)
        {
            throw new AtelierException("bad-manifest", $"dataset '{name}' manifest does not verify: {e.Message}");
        }
    }
}
