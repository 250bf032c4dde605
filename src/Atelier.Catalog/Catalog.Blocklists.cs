using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

/// <summary>An imported hash blocklist (its entries live in blocklist_entries).</summary>
public sealed record BlocklistRecord(long Id, string Name, string Version, string Kind, int Entries, string FileSha256, string? Signer,
    string ImportedBy, DateTimeOffset ImportedAt);

/// <summary>
/// One quarantined file: a catalog image (<see cref="ImageId"/> set) or bytes refused at ingest (no image).
/// Only metadata: the bytes are sealed in blob <see cref="SealedBlob"/>.
/// </summary>
public sealed record QuarantineRecord(long Id, long? ImageId, string Sha256, string? Md5, long ListId, string ListName, string ListVersion, string ListKind,
    int? Distance, string? Origin, string? Source, string SealedBlob, string QuarantinedBy, DateTimeOffset QuarantinedAt);

/// <summary>What a blocklist is matched against for one catalog image; <see cref="PdqDisplayed"/> is the hash as displayed where it differs.</summary>
public sealed record ScreenedImage(long Id, string Sha256, string? Md5, byte[]? Pdq, int? PdqQuality, string? ThumbnailSha256, byte[]? PdqDisplayed = null);

/// <summary>A new quarantine row: <see cref="ImageId"/> null for bytes stopped at ingest.</summary>
public sealed record NewQuarantine(long? ImageId, string Sha256, string? Md5, byte[]? Pdq, int? PdqQuality, string? Origin, string? Source,
    long ListId, int? Distance, string SealedBlob, string QuarantinedBy);

public sealed partial class Catalog
{
    private const string QuarantineColumns =
        "q.id, q.image_id, q.sha256, q.md5, q.list_id, b.name, b.version, b.kind, q.distance, q.origin, q.source, q.sealed_blob, q.quarantined_by, q.quarantined_at";

    public BlocklistRecord? FindBlocklist(string name, string version) =>
        ReadBlocklists("WHERE name = $n AND version = $v", ("$n", name), ("$v", version)).FirstOrDefault();

    public IReadOnlyList<BlocklistRecord> ListBlocklists() => ReadBlocklists("");

    /// <summary>Stores a list and its (already validated, lower-case, distinct) hashes.</summary>
    public BlocklistRecord AddBlocklist(string name, string version, string kind, string fileSha256, string? signer, string importedBy,
        IReadOnlyCollection<string> hashes)
    {
        var now = DateTimeOffset.UtcNow;
        var id = (long)Scalar("""
                              INSERT INTO blocklists(name, version, kind, entries, file_sha256, signer, imported_by, imported_at)
                              VALUES($n, $v, $k, $e, $f, $s, $b, $t) RETURNING id
                              """,
            ("$n", name), ("$v", version), ("$k", kind), ("$e", hashes.Count), ("$f", fileSha256), ("$s", signer), ("$b", importedBy), ("$t", Time(now)))!;
        using var insert = Cmd("INSERT OR IGNORE INTO blocklist_entries(list_id, hash) VALUES($l, $h)", ("$l", id));
        var ph = insert.Parameters.Add("$h", SqliteType.Text);
        foreach (var hash in hashes)
        {
            ph.Value = hash;
            insert.ExecuteNonQuery();
        }
        return new BlocklistRecord(id, name, version, kind, hashes.Count, fileSha256, signer, importedBy, now);
    }

    /// <summary>Every entry of every list (or of one list), with the list it belongs to.</summary>
    public IReadOnlyList<(long ListId, string Hash)> BlocklistEntries(long? listId = null)
    {
        using var cmd = Cmd("SELECT list_id, hash FROM blocklist_entries WHERE $l IS NULL OR list_id = $l ORDER BY list_id", ("$l", listId));
        using var r = cmd.ExecuteReader();
        var list = new List<(long, string)>();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetString(1)));
        return list;
    }

    /// <summary>The visible (not quarantined) images with what a blocklist matches on.</summary>
    public IReadOnlyList<ScreenedImage> ImagesToScreen()
    {
        using var cmd = Cmd("SELECT id, sha256, md5, pdq, pdq_quality, thumb_sha256, pdq_displayed FROM images WHERE quarantined = 0 ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<ScreenedImage>();
        while (r.Read())
            list.Add(new ScreenedImage(r.GetInt64(0), r.GetString(1), Str(r, 2), r.IsDBNull(3) ? null : (byte[])r[3],
                r.IsDBNull(4) ? null : r.GetInt32(4), Str(r, 5), r.IsDBNull(6) ? null : (byte[])r[6]));
        return list;
    }

    /// <summary>One visible image as a blocklist is matched against it, or null when it is gone or quarantined.</summary>
    public ScreenedImage? ImageToScreen(long imageId)
    {
        using var cmd = Cmd("SELECT id, sha256, md5, pdq, pdq_quality, thumb_sha256, pdq_displayed FROM images WHERE id = $i AND quarantined = 0", ("$i", imageId));
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new ScreenedImage(r.GetInt64(0), r.GetString(1), Str(r, 2), r.IsDBNull(3) ? null : (byte[])r[3], r.IsDBNull(4) ? null : r.GetInt32(4), Str(r, 5),
                r.IsDBNull(6) ? null : (byte[])r[6])
            : null;
    }

    /// <summary>Images ingested before MD5s were kept; a blocklist of MD5s needs theirs computed from the blob.</summary>
    public IReadOnlyList<(long Id, string Sha256)> ImagesWithoutMd5()
    {
        using var cmd = Cmd("SELECT id, sha256 FROM images WHERE md5 IS NULL AND quarantined = 0 ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<(long, string)>();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetString(1)));
        return list;
    }

    public void SetMd5(long imageId, string md5) => Exec("UPDATE images SET md5 = $m WHERE id = $i", ("$m", md5), ("$i", imageId));

    public bool IsQuarantined(long imageId) => Scalar("SELECT quarantined FROM images WHERE id = $i", ("$i", imageId)) is long q && q != 0;

    /// <summary>
    /// Hides a catalog image for good: marks it quarantined and drops its near-duplicate pairs (which
    /// would otherwise point visible images at it).
    /// </summary>
    public void MarkQuarantined(long imageId)
    {
        Exec("UPDATE images SET quarantined = 1 WHERE id = $i", ("$i", imageId));
        Exec("DELETE FROM near_duplicates WHERE image_id = $i OR other_id = $i", ("$i", imageId));
    }

    /// <summary>
    /// Whether a visible image other than <paramref name="exceptImageId"/> uses this blob, as its file or
    /// its thumbnail (identical thumbnails share a blob, and a small image's thumbnail can be its file).
    /// </summary>
    public bool BlobInUse(string sha256, long exceptImageId) =>
        Scalar("SELECT 1 FROM images WHERE (thumb_sha256 = $t OR sha256 = $t) AND id != $i AND quarantined = 0 LIMIT 1", ("$t", sha256), ("$i", exceptImageId)) is not null;

    /// <summary>Where an image first came from (the origin and source of its first provenance record).</summary>
    public (string? Origin, string? Source) FirstOrigin(long imageId)
    {
        using var cmd = Cmd("SELECT origin, source FROM provenance WHERE image_id = $i ORDER BY id LIMIT 1", ("$i", imageId));
        using var r = cmd.ExecuteReader();
        return r.Read() ? (r.GetString(0), r.GetString(1)) : (null, null);
    }

    public QuarantineRecord AddQuarantine(NewQuarantine q)
    {
        var id = (long)Scalar("""
                              INSERT INTO quarantine(image_id, sha256, md5, pdq, pdq_quality, origin, source, list_id, distance, sealed_blob, quarantined_by, quarantined_at)
                              VALUES($i, $s, $m, $p, $pq, $o, $src, $l, $d, $b, $by, $at) RETURNING id
                              """,
            ("$i", q.ImageId), ("$s", q.Sha256), ("$m", q.Md5), ("$p", q.Pdq), ("$pq", q.PdqQuality), ("$o", q.Origin), ("$src", q.Source),
            ("$l", q.ListId), ("$d", q.Distance), ("$b", q.SealedBlob), ("$by", q.QuarantinedBy), ("$at", Time(DateTimeOffset.UtcNow)))!;
        return GetQuarantine(id)!;
    }

    public QuarantineRecord? GetQuarantine(long id) => ReadQuarantine("WHERE q.id = $i", ("$i", id)).FirstOrDefault();

    public QuarantineRecord? FindQuarantine(string sha256) => ReadQuarantine("WHERE q.sha256 = $s", ("$s", sha256)).FirstOrDefault();

    public IReadOnlyList<QuarantineRecord> ListQuarantine() => ReadQuarantine("");

    /// <summary>SHA-256s of everything in quarantine, so that ingest stops the same bytes again without decoding them.</summary>
    public IReadOnlyList<string> QuarantinedSha256s() => Strings("SELECT sha256 FROM quarantine");

    /// <summary>Thumbnails of quarantined images that no visible image shows.</summary>
    public IReadOnlyList<string> QuarantinedThumbnailsNotInUse() =>
        Strings("""
                SELECT DISTINCT q.thumb_sha256 FROM images q WHERE q.quarantined = 1 AND q.thumb_sha256 IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM images v WHERE (v.thumb_sha256 = q.thumb_sha256 OR v.sha256 = q.thumb_sha256) AND v.quarantined = 0)
                """);

    /// <summary>Root hashes of snapshots tainted by a cause of this kind.</summary>
    public IReadOnlyList<string> SnapshotRootsTaintedBy(string causeKind) =>
        Strings($"SELECT DISTINCT s.root_hash FROM snapshots s JOIN taints t ON t.kind = '{TaintKind.Snapshot}' AND t.entity_id = s.id WHERE t.cause_kind = $k",
            ("$k", causeKind));

    private List<string> Strings(string sql, params (string, object?)[] parameters)
    {
        using var cmd = Cmd(sql, parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<string>();
        while (r.Read()) list.Add(r.GetString(0));
        return list;
    }

    private List<BlocklistRecord> ReadBlocklists(string where, params (string, object?)[] parameters)
    {
        using var cmd = Cmd($"SELECT id, name, version, kind, entries, file_sha256, signer, imported_by, imported_at FROM blocklists {where} ORDER BY id", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<BlocklistRecord>();
        while (r.Read())
            list.Add(new BlocklistRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetString(5), Str(r, 6),
                r.GetString(7), ParseTime(r.GetString(8))));
        return list;
    }

    private List<QuarantineRecord> ReadQuarantine(string where, params (string, object?)[] parameters)
    {
        using var cmd = Cmd($"SELECT {QuarantineColumns} FROM quarantine q JOIN blocklists b ON b.id = q.list_id {where} ORDER BY q.id", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<QuarantineRecord>();
        while (r.Read())
            list.Add(new QuarantineRecord(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), Str(r, 3), r.GetInt64(4), r.GetString(5),
                r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetInt32(8), Str(r, 9), Str(r, 10), r.GetString(11), r.GetString(12),
                ParseTime(r.GetString(13))));
        return list;
    }
}
