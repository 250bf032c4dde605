using Atelier.Catalog;

namespace Atelier.Governance.Consent;

/// <summary>What anyone may see of a subject: opaque id, whether the identity was verified, counts. No personal data.</summary>
public sealed record SubjectSummary(string SubjectId, bool Verified, int LinkedImages, int ActiveConsents, int ExpiredConsents, int RevokedConsents,
    string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>One image a subject is linked to, with the capture date the age rule uses.</summary>
public sealed record SubjectImage(long ImageId, DateTimeOffset? CapturedAt);

/// <summary>A subject in full, still without personal data: its links and its consents.</summary>
public sealed record SubjectView(SubjectSummary Summary, IReadOnlyList<SubjectImage> Images, IReadOnlyList<ConsentView> Consents);

/// <summary>A consent as shown: state is active, expired or revoked at the time it was read.</summary>
public sealed record ConsentView(long ConsentId, string SubjectId, IReadOnlyList<string> Scopes, string State, string Selector, int Images,
    DateTimeOffset? ExpiresAt, string GrantedBy, DateTimeOffset GrantedAt, string? RevokedBy, DateTimeOffset? RevokedAt, string? RevokeReason)
{
    public const string Expired = "expired";

    public static ConsentView Of(ConsentRow row, int images, DateTimeOffset now) =>
        new(row.Id, row.SubjectPublicId, row.Scopes, StateOf(row, now), row.Selector, images, row.ExpiresAt, row.GrantedBy, row.GrantedAt,
            row.RevokedBy, row.RevokedAt, row.RevokeReason);

    public static string StateOf(ConsentRow row, DateTimeOffset now) =>
        row.Status != ConsentStatus.Active ? row.Status : row.ExpiresAt is { } e && e <= now ? Expired : ConsentStatus.Active;
}

/// <summary>A consent with its images listed, for <c>consent show</c>.</summary>
public sealed record ConsentDetail(ConsentView Consent, IReadOnlyList<long> ImageIds);

/// <summary>What withdrawing a consent reached: every snapshot, run and checkpoint downstream of its images, now tainted.</summary>
public sealed record ConsentRevocation(ConsentView Consent, IReadOnlyList<string> Snapshots, IReadOnlyList<string> Runs, IReadOnlyList<long> Checkpoints,
    TaintCount NewlyTainted);

/// <summary>A stored signed release, opened: its original file name and bytes.</summary>
public sealed record ConsentDocument(long ConsentId, string FileName, byte[] Bytes);

/// <summary>What taking back a subject's links did: how many links went and what downstream is now tainted.</summary>
public sealed record SubjectUnlinking(string Subject, int Unlinked, TaintCount Tainted);
