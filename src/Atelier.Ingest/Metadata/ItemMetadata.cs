namespace Atelier.Ingest.Metadata;

/// <summary>A tag with its category (e.g. <c>general</c>, <c>category</c>); both normalised by <see cref="TagText"/>.</summary>
public sealed record ItemTag(string Name, string Category);

/// <summary>Provenance metadata found for an item in sidecars, manifests or URL-list columns.</summary>
/// <param name="Rating">One of the catalog's ratings (general, sensitive, questionable, explicit), or null.</param>
/// <param name="Raw">The original key/values merged into one JSON object (manifest, then JSON sidecar; a .txt sidecar's text under <c>sidecar_txt</c>).</param>
public sealed record ItemMetadata(
    IReadOnlyList<ItemTag> Tags,
    string? Rating,
    string? License,
    string? SourceUrl,
    DateTimeOffset? CapturedAt,
    string Raw);
