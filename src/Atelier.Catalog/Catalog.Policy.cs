namespace Atelier.Catalog;

/// <summary>
/// What the policy gate needs to know about one image. <see cref="Blocklisted"/> holds when the image
/// is quarantined or its SHA-256 is in the quarantine table (both are checked, so a half-finished
/// quarantine still blocks). <see cref="Known"/> is false for an id the catalog no longer has.
/// </summary>
public sealed record ImagePolicyFacts(long ImageId, bool Known, string Sha256, string? Rating, string? Source, string? License,
    int Provenance, int? PdqQuality, bool Blocklisted, IReadOnlyList<string> Flags);

public sealed partial class Catalog
{
    /// <summary>Policy facts of the given images, quarantined ones included (the gate must see them to refuse them), in the given order.</summary>
    public IReadOnlyList<ImagePolicyFacts> PolicyFacts(IReadOnlyCollection<long> imageIds)
    {
        var rows = ForImages(imageIds,
            """
            SELECT i.id, i.sha256, i.rating, i.source, i.license, i.pdq_quality,
                   (SELECT COUNT(*) FROM provenance p WHERE p.image_id = i.id),
                   i.quarantined != 0 OR EXISTS(SELECT 1 FROM quarantine q WHERE q.sha256 = i.sha256 OR q.image_id = i.id),
                   (SELECT group_concat(flag, ',') FROM image_flags f WHERE f.image_id = i.id)
            FROM images i WHERE i.id = $i
            """,
            r => new ImagePolicyFacts(r.GetInt64(0), true, r.GetString(1), Str(r, 2), Str(r, 3), Str(r, 4), r.GetInt32(6),
                r.IsDBNull(5) ? null : r.GetInt32(5), r.GetBoolean(7),
                Str(r, 8) is { } f ? f.Split(',', StringSplitOptions.RemoveEmptyEntries) : []))
            .ToDictionary(f => f.ImageId);
        return imageIds.Select(id => rows.GetValueOrDefault(id) ?? new ImagePolicyFacts(id, false, "", null, null, null, 0, null, false, [])).ToList();
    }
}
