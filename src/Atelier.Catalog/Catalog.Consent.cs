using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

/// <summary>A depicted person as the catalog holds them: an opaque id and a sealed (encrypted) record.</summary>
public sealed record SubjectRow(long Id, string PublicId, byte[] Sealed, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>Which subject appears in which image, and when the image was captured (needed for the age rule).</summary>
public sealed record SubjectLink(long SubjectId, string SubjectPublicId, long ImageId, DateTimeOffset? CapturedAt);

public static class ConsentStatus
{
    public const string Active = "active";
    public const string Revoked = "revoked";
}

/// <summary>A consent as stored. The signed release is a sealed blob; <see cref="DocumentSealed"/> holds its sealed file name.</summary>
public sealed record ConsentRow(long Id, long SubjectId, string SubjectPublicId, IReadOnlyList<string> Scopes, string Selector, DateTimeOffset? ExpiresAt,
    string DocumentBlob, byte[] DocumentSealed, string Status, string GrantedBy, DateTimeOffset GrantedAt,
    string? RevokedBy, DateTimeOffset? RevokedAt, string? RevokeReason);

public sealed partial class Catalog
{
    public SubjectRow AddSubject(string publicId, byte[] sealedRecord, string createdBy)
    {
        var now = DateTimeOffset.UtcNow;
        var id = (long)Scalar("INSERT INTO subjects(public_id, sealed, created_by, created_at) VALUES($p, $s, $b, $t) RETURNING id",
            ("$p", publicId), ("$s", sealedRecord), ("$b", createdBy), ("$t", Time(now)))!;
        return new SubjectRow(id, publicId, sealedRecord, createdBy, now);
    }

    public SubjectRow? GetSubject(string publicId) => ReadSubjects("WHERE public_id = $p", ("$p", publicId)).FirstOrDefault();

    public IReadOnlyList<SubjectRow> ListSubjects() => ReadSubjects("");

    /// <summary>Replaces a subject's sealed record (key rotation re-seals it).</summary>
    public void ResealSubject(long id, byte[] sealedRecord) => Exec("UPDATE subjects SET sealed = $s WHERE id = $i", ("$s", sealedRecord), ("$i", id));

    /// <summary>Links a subject to images; an existing link gets the new capture date. Returns the number of links written.</summary>
    public int LinkSubject(long subjectId, IReadOnlyCollection<long> imageIds, DateTimeOffset? capturedAt, string linkedBy) =>
        ForEachId(imageIds, """
                            INSERT INTO subject_images(subject_id, image_id, captured_at, linked_by, linked_at) VALUES($s, $id, $c, $b, $t)
                            ON CONFLICT(subject_id, image_id) DO UPDATE SET captured_at = COALESCE(excluded.captured_at, captured_at)
                            """,
            ("$s", subjectId), ("$c", capturedAt is { } c ? Time(c) : null), ("$b", linkedBy), ("$t", Time(DateTimeOffset.UtcNow)));

    /// <summary>Removes the subject's links to the given images; returns how many links there were.</summary>
    public int UnlinkSubject(long subjectId, IReadOnlyCollection<long> imageIds) =>
        ForEachId(imageIds, "DELETE FROM subject_images WHERE subject_id = $s AND image_id = $id", ("$s", subjectId));

    /// <summary>Subject links of the given images; the capture date falls back to the image's own capture date.</summary>
    public IReadOnlyList<SubjectLink> SubjectLinks(IReadOnlyCollection<long> imageIds) =>
        ForImages(imageIds, """
                            SELECT si.subject_id, s.public_id, si.image_id, COALESCE(si.captured_at, i.captured_at)
                            FROM subject_images si JOIN subjects s ON s.id = si.subject_id JOIN images i ON i.id = si.image_id
                            WHERE si.image_id = $i
                            """,
            r => new SubjectLink(r.GetInt64(0), r.GetString(1), r.GetInt64(2), Str(r, 3) is { } c ? ParseTime(c) : null));

    public IReadOnlyList<long> ImagesOfSubject(long subjectId)
    {
        using var cmd = Cmd("SELECT image_id FROM subject_images WHERE subject_id = $s ORDER BY image_id", ("$s", subjectId));
        using var r = cmd.ExecuteReader();
        var ids = new List<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }

    public ConsentRow AddConsent(long subjectId, IReadOnlyList<string> scopes, string selector, DateTimeOffset? expiresAt, string documentBlob,
        byte[] documentSealed, string grantedBy, IReadOnlyCollection<long> imageIds)
    {
        var now = DateTimeOffset.UtcNow;
        var id = (long)Scalar("""
                              INSERT INTO consents(subject_id, scopes, selector, expires_at, document_blob, document_sealed, status, granted_by, granted_at)
                              VALUES($s, $sc, $sel, $e, $d, $ds, $st, $b, $t) RETURNING id
                              """,
            ("$s", subjectId), ("$sc", string.Join(',', scopes)), ("$sel", selector), ("$e", expiresAt is { } e ? Time(e) : null), ("$d", documentBlob),
            ("$ds", documentSealed), ("$st", ConsentStatus.Active), ("$b", grantedBy), ("$t", Time(now)))!;
        ForEachId(imageIds, "INSERT OR IGNORE INTO consent_images(consent_id, image_id) VALUES($c, $id)", ("$c", id));
        return GetConsent(id)!;
    }

    public ConsentRow? GetConsent(long id) => ReadConsents("WHERE c.id = $i", ("$i", id)).FirstOrDefault();

    public IReadOnlyList<ConsentRow> ListConsents(long? subjectId = null) =>
        ReadConsents("WHERE $s IS NULL OR c.subject_id = $s", ("$s", subjectId));

    /// <summary>Marks a consent revoked; false if it was not active.</summary>
    public bool RevokeConsent(long id, string revokedBy, string reason) =>
        Exec("UPDATE consents SET status = $r, revoked_by = $b, revoked_at = $t, revoke_reason = $why WHERE id = $i AND status = $a",
            ("$r", ConsentStatus.Revoked), ("$b", revokedBy), ("$t", Time(DateTimeOffset.UtcNow)), ("$why", reason), ("$i", id), ("$a", ConsentStatus.Active)) == 1;

    /// <summary>Replaces a consent's sealed document name (key rotation).</summary>
    public void ResealConsentDocument(long id, string documentBlob, byte[] documentSealed) =>
        Exec("UPDATE consents SET document_blob = $d, document_sealed = $s WHERE id = $i", ("$d", documentBlob), ("$s", documentSealed), ("$i", id));

    public IReadOnlyList<long> ImagesOfConsent(long consentId)
    {
        using var cmd = Cmd("SELECT image_id FROM consent_images WHERE consent_id = $c ORDER BY image_id", ("$c", consentId));
        using var r = cmd.ExecuteReader();
        var ids = new List<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }

    /// <summary>For each given image, the consents (any status) that cover it, as (image id, consent id).</summary>
    public IReadOnlyList<(long ImageId, long ConsentId)> ConsentsCovering(IReadOnlyCollection<long> imageIds) =>
        ForImages(imageIds, "SELECT image_id, consent_id FROM consent_images WHERE image_id = $i", r => (r.GetInt64(0), r.GetInt64(1)));

    private List<T> ForImages<T>(IReadOnlyCollection<long> imageIds, string sql, Func<SqliteDataReader, T> read)
    {
        using var cmd = Cmd(sql);
        var pi = cmd.Parameters.Add("$i", SqliteType.Integer);
        var list = new List<T>();
        foreach (var id in imageIds)
        {
            pi.Value = id;
            using var r = cmd.ExecuteReader();
            while (r.Read()) list.Add(read(r));
        }
        return list;
    }

    private List<SubjectRow> ReadSubjects(string where, params (string, object?)[] parameters)
    {
        using var cmd = Cmd($"SELECT id, public_id, sealed, created_by, created_at FROM subjects {where} ORDER BY id", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<SubjectRow>();
        while (r.Read()) list.Add(new SubjectRow(r.GetInt64(0), r.GetString(1), (byte[])r[2], r.GetString(3), ParseTime(r.GetString(4))));
        return list;
    }

    private List<ConsentRow> ReadConsents(string where, params (string, object?)[] parameters)
    {
        using var cmd = Cmd($"""
                             SELECT c.id, c.subject_id, s.public_id, c.scopes, c.selector, c.expires_at, c.document_blob, c.document_sealed, c.status,
                                    c.granted_by, c.granted_at, c.revoked_by, c.revoked_at, c.revoke_reason
                             FROM consents c JOIN subjects s ON s.id = c.subject_id {where} ORDER BY c.id
                             """, parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<ConsentRow>();
        while (r.Read())
            list.Add(new ConsentRow(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3).Split(',', StringSplitOptions.RemoveEmptyEntries), r.GetString(4),
                Str(r, 5) is { } e ? ParseTime(e) : null, r.GetString(6), (byte[])r[7], r.GetString(8), r.GetString(9), ParseTime(r.GetString(10)),
                Str(r, 11), Str(r, 12) is { } t ? ParseTime(t) : null, Str(r, 13)));
        return list;
    }
}
