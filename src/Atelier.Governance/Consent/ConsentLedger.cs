using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;

namespace Atelier.Governance.Consent;

/// <summary>
/// Subjects, who appears where, and their consents. Personal data goes in and out only through the
/// sealer; the catalog, audit log and error messages see opaque subject ids.
/// </summary>
public sealed class ConsentLedger(GovernanceSession session)
{
    private Catalog.Catalog Catalog => session.Workspace.Catalog;

    /// <summary>Records a depicted person; only the sealed record and an opaque id reach the catalog.</summary>
    public SubjectRow AddSubject(SubjectDetails details)
    {
        session.Actor.Require(Role.Admin, "add subjects' personal data");
        if (string.IsNullOrWhiteSpace(details.LegalName)) throw new AtelierException("bad-subject", "a subject needs a legal name");
        string publicId;
        // Eight hex digits: a clash is rare but possible, and the id must stay unique.
        do publicId = "S-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        while (Catalog.GetSubject(publicId) is not null);
        using var tx = Catalog.BeginTransaction();
        var row = Catalog.AddSubject(publicId, session.Sealer.Seal(JsonSerializer.Serialize(details), SubjectPurpose(publicId)), session.Actor.Name);
        session.Record(AuditAction.SubjectAdd, new { subject = publicId, verified = details.Verified }, GovernanceSession.Ref("subject", publicId));
        tx.Commit();
        return row;
    }

    public SubjectRow GetSubject(string publicId) =>
        Catalog.GetSubject(publicId.Trim()) ?? throw new AtelierException("unknown-subject", $"no subject '{publicId}' (see 'atelier subject list')");

    /// <summary>The personal data of a subject: admins only, and the reading is audited.</summary>
    public SubjectDetails Reveal(string publicId)
    {
        session.Actor.Require(Role.Admin, "see subjects' personal data");
        var row = GetSubject(publicId);
        var details = Unseal(row);
        session.Record(AuditAction.SubjectReveal, new { subject = row.PublicId }, GovernanceSession.Ref("subject", row.PublicId));
        return details;
    }

    /// <summary>Says that the subject appears in the selected images, captured on <paramref name="capturedAt"/> (else the images' own capture dates).</summary>
    public int Link(string publicId, Selector images, DateTimeOffset? capturedAt)
    {
        session.Actor.Require(Role.Reviewer, "link subjects to images");
        var subject = GetSubject(publicId);
        if (capturedAt is { } c)
        {
            if (c > DateTimeOffset.UtcNow.AddDays(1)) throw new AtelierException("bad-capture-date", "the capture date is in the future");
            if (DateOnly.FromDateTime(c.UtcDateTime) < Unseal(subject).DateOfBirth)
                throw new AtelierException("bad-capture-date", $"the capture date is before the date of birth of {subject.PublicId}");
        }
        var ids = Select(images);
        using var tx = Catalog.BeginTransaction();
        var n = Catalog.LinkSubject(subject.Id, ids, capturedAt, session.Actor.Name);
        session.Record(AuditAction.SubjectLink, new { subject = subject.PublicId, images = ids.Count, capturedAt },
            [GovernanceSession.Ref("subject", subject.PublicId), .. ids.Select(GovernanceSession.Image)]);
        tx.Commit();
        return n;
    }

    /// <summary>
    /// Takes back a subject's link to the selected images (a link made in error, say). Whatever was built on those images
    /// while the link stood relied on the subject's consent, so it is tainted as a revocation would taint it; the images
    /// themselves are judged by the policy afresh (a questionable or explicit one needs a subject again).
    /// </summary>
    public SubjectUnlinking Unlink(string publicId, Selector images, string reason)
    {
        session.Actor.Require(Role.Reviewer, "unlink subjects from images");
        if (string.IsNullOrWhiteSpace(reason)) throw new AtelierException("no-reason", "say why the link is taken back (--reason)");
        var subject = GetSubject(publicId);
        var ids = SelectLinked(subject, images, "");
        var causeRef = $"{subject.PublicId}/{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
        using var tx = Catalog.BeginTransaction();
        var n = Catalog.UnlinkSubject(subject.Id, ids);
        session.Record(AuditAction.SubjectUnlink, new { subject = subject.PublicId, images = ids.Count, reason = reason.Trim() },
            [GovernanceSession.Ref("subject", subject.PublicId), .. ids.Select(GovernanceSession.Image)]);
        var tainted = Lineage.Revocation.Taint(session, ids, Lineage.Revocation.SubjectUnlinked, causeRef,
            $"{subject.PublicId} was unlinked from {ids.Count} image(s): {reason.Trim()}");
        tx.Commit();
        return new SubjectUnlinking(subject.PublicId, n, tainted);
    }

    /// <summary>Records a consent over images of the subject; the signed release is stored sealed in the blob store.</summary>
    public ConsentRow Grant(string publicId, IReadOnlyList<string> scopes, Selector images, DateTimeOffset? expires, string documentPath)
    {
        session.Actor.Require(Role.Reviewer, "record consents");
        _ = GetSubject(publicId);
        // The path is not echoed: a release's file name often carries the person's name.
        if (string.IsNullOrWhiteSpace(documentPath) || !File.Exists(documentPath))
            throw new AtelierException("no-document", "the signed release given with --document does not exist");
        return Grant(publicId, scopes, images, expires, File.ReadAllBytes(documentPath), Path.GetFileName(documentPath));
    }

    /// <summary>As <see cref="Grant(string, IReadOnlyList{string}, Selector, DateTimeOffset?, string)"/>, with the release's bytes and file name (an upload).</summary>
    public ConsentRow Grant(string publicId, IReadOnlyList<string> scopes, Selector images, DateTimeOffset? expires, byte[] document, string documentName)
    {
        session.Actor.Require(Role.Reviewer, "record consents");
        var subject = GetSubject(publicId);
        var wanted = scopes.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => s.ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        var unknown = wanted.Where(s => !ConsentScope.All.Contains(s)).ToList();
        if (wanted.Count == 0) throw new AtelierException("bad-scope", $"say what the consent covers with --scope ({string.Join(", ", ConsentScope.All)})");
        if (unknown.Count > 0)
            throw new AtelierException("bad-scope", $"unknown consent scope '{string.Join(",", unknown)}': use {string.Join(", ", ConsentScope.All)}");
        if (expires is { } e && e <= DateTimeOffset.UtcNow)
            throw new AtelierException("bad-expiry", $"the consent would already be expired ({e.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)})");
        if (document.Length == 0) throw new AtelierException("no-document", "the signed release is empty");
        var ids = SelectLinked(subject, images, "; link them first with 'atelier subject link'");
        using var tx = Catalog.BeginTransaction();
        // Written (durably) before the row that names it commits; a rollback leaves only an unreadable orphan.
        var blob = session.Workspace.Blobs.Put(session.Sealer.Seal(document, DocumentPurpose(subject.PublicId)));
        var name = session.Sealer.Seal(Path.GetFileName(documentName), DocumentNamePurpose(subject.PublicId));
        var row = Catalog.AddConsent(subject.Id, wanted, images.Text, expires, blob, name, session.Actor.Name, ids);
        session.Record(AuditAction.ConsentGrant, new { consent = row.Id, subject = subject.PublicId, scopes = wanted, images = ids.Count, expires },
            [GovernanceSession.Ref("consent", row.Id), GovernanceSession.Ref("subject", subject.PublicId), .. ids.Select(GovernanceSession.Image)]);
        tx.Commit();
        return row;
    }

    private IReadOnlyList<long> Select(Selector images)
    {
        var ids = Catalog.SelectIds(images);
        return ids.Count > 0 ? ids : throw new AtelierException("no-images", $"no images match '{images.Text}'");
    }

    /// <summary>The selected images, every one of which must be linked to the subject.</summary>
    private IReadOnlyList<long> SelectLinked(SubjectRow subject, Selector images, string hint)
    {
        var ids = Select(images);
        var linked = Catalog.ImagesOfSubject(subject.Id).ToHashSet();
        var notLinked = ids.Where(i => !linked.Contains(i)).ToList();
        if (notLinked.Count > 0)
            throw new AtelierException("not-linked", $"{notLinked.Count} of the {ids.Count} selected images are not linked to {subject.PublicId} (first: image {notLinked[0]}){hint}");
        return ids;
    }

    public ConsentRow GetConsent(long consentId) =>
        Catalog.GetConsent(consentId) ?? throw new AtelierException("unknown-consent", $"no consent {consentId} (see 'atelier consent list')");

    /// <summary>Withdraws a consent and taints every snapshot, run and checkpoint built on the images it covered.</summary>
    public ConsentRevocation Revoke(long consentId, string reason)
    {
        session.Actor.Require(Role.Reviewer, "revoke consents");
        if (string.IsNullOrWhiteSpace(reason)) throw new AtelierException("no-reason", "say why the consent is revoked (--reason)");
        var consent = GetConsent(consentId);
        if (consent.Status != ConsentStatus.Active) throw new AtelierException("not-active", $"consent {consentId} is already {consent.Status}");
        var images = Catalog.ImagesOfConsent(consentId);
        TaintCount tainted;
        using (var tx = Catalog.BeginTransaction())
        {
            if (!Catalog.RevokeConsent(consentId, session.Actor.Name, reason.Trim()))
                throw new AtelierException("not-active", $"consent {consentId} was revoked by someone else meanwhile");
            session.Record(AuditAction.ConsentRevoke, new { consent = consentId, subject = consent.SubjectPublicId, reason = reason.Trim(), images = images.Count },
                [GovernanceSession.Ref("consent", consentId), GovernanceSession.Ref("subject", consent.SubjectPublicId), .. images.Select(GovernanceSession.Image)]);
            tainted = Lineage.Revocation.Taint(session, images, Lineage.Revocation.ConsentRevoked, consentId.ToString(CultureInfo.InvariantCulture),
                $"consent {consentId} of {consent.SubjectPublicId} was revoked: {reason.Trim()}");
            tx.Commit();
        }
        // Everything downstream of the images carries this cause now (new or not), so the walk names exactly what is tainted.
        var snapshots = images.SelectMany(Catalog.SnapshotsOfImage).DistinctBy(s => s.Id).OrderBy(s => s.Id).ToList();
        // Runs come from the taints themselves: those initialised from a tainted run's checkpoint (--init-from) hold none of the images.
        var byCause = Catalog.TaintedBy(Lineage.Revocation.ConsentRevoked, consentId.ToString(CultureInfo.InvariantCulture));
        var runs = byCause.Where(t => t.Kind == TaintKind.Run).Select(t => Catalog.GetRun(t.EntityId)!).OrderBy(r => r.Id).ToList();
        var checkpoints = byCause.Where(t => t.Kind == TaintKind.Checkpoint).Select(t => t.EntityId).Order().ToList();
        return new ConsentRevocation(ConsentView.Of(GetConsent(consentId), images.Count, DateTimeOffset.UtcNow),
            snapshots.Select(s => s.Name).ToList(), runs.Select(r => r.Name).ToList(), checkpoints, tainted);
    }

    /// <summary>Every subject, without personal data (verified is a fact about the record, not the record).</summary>
    public IReadOnlyList<SubjectSummary> ListSubjects()
    {
        var now = DateTimeOffset.UtcNow;
        var consents = Catalog.ListConsents().ToLookup(c => c.SubjectId);
        return Catalog.ListSubjects().Select(s => Summarize(s, consents[s.Id].ToList(), now)).ToList();
    }

    /// <summary>One subject's links and consents, without personal data.</summary>
    public SubjectView Describe(string publicId)
    {
        var now = DateTimeOffset.UtcNow;
        var row = GetSubject(publicId);
        var consents = Catalog.ListConsents(row.Id);
        var images = Catalog.SubjectLinks(Catalog.ImagesOfSubject(row.Id)).Where(l => l.SubjectId == row.Id)
            .Select(l => new SubjectImage(l.ImageId, l.CapturedAt)).ToList();
        return new SubjectView(Summarize(row, consents, now), images,
            consents.Select(c => ConsentView.Of(c, Catalog.ImagesOfConsent(c.Id).Count, now)).ToList());
    }

    public IReadOnlyList<ConsentView> ListConsents(string? subjectPublicId = null)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = Catalog.ListConsents(subjectPublicId is null ? null : GetSubject(subjectPublicId).Id);
        return rows.Select(c => ConsentView.Of(c, Catalog.ImagesOfConsent(c.Id).Count, now)).ToList();
    }

    public ConsentDetail DescribeConsent(long consentId)
    {
        var row = GetConsent(consentId);
        var images = Catalog.ImagesOfConsent(consentId);
        return new ConsentDetail(ConsentView.Of(row, images.Count, DateTimeOffset.UtcNow), images);
    }

    /// <summary>The stored signed release, opened: admins only, and audited like any other reading of personal data.</summary>
    public ConsentDocument RevealDocument(long consentId)
    {
        session.Actor.Require(Role.Admin, "read signed releases");
        var row = GetConsent(consentId);
        var bytes = session.Sealer.Open(session.Workspace.Blobs.Read(row.DocumentBlob), DocumentPurpose(row.SubjectPublicId));
        var name = session.Sealer.OpenText(row.DocumentSealed, DocumentNamePurpose(row.SubjectPublicId));
        session.Record(AuditAction.SubjectReveal, new { subject = row.SubjectPublicId, consent = consentId, document = true },
            GovernanceSession.Ref("subject", row.SubjectPublicId), GovernanceSession.Ref("consent", consentId));
        return new ConsentDocument(consentId, name, bytes);
    }

    /// <summary>For each image, its linked subjects reduced to facts: verified, age at capture, the consents covering it.</summary>
    public IReadOnlyDictionary<long, ImageConsentFacts> FactsFor(IReadOnlyCollection<long> imageIds)
    {
        var links = Catalog.SubjectLinks(imageIds);
        var covering = Catalog.ConsentsCovering(imageIds).ToLookup(x => x.ImageId, x => x.ConsentId);
        var subjects = new Dictionary<long, SubjectDetails>();
        var consents = new Dictionary<long, ConsentRow>();
        var result = imageIds.ToDictionary(id => id, id => new ImageConsentFacts(id, []));
        foreach (var group in links.GroupBy(l => l.ImageId))
        {
            var facts = new List<SubjectFacts>();
            foreach (var link in group)
            {
                if (!subjects.TryGetValue(link.SubjectId, out var details))
                    subjects[link.SubjectId] = details = Unseal(Catalog.GetSubject(link.SubjectPublicId)!);
                var age = link.CapturedAt is { } c ? details.AgeOn(DateOnly.FromDateTime(c.UtcDateTime)) : (int?)null;
                var own = covering[link.ImageId]
                    .Select(id => consents.TryGetValue(id, out var row) ? row : consents[id] = Catalog.GetConsent(id)!)
                    .Where(row => row.SubjectId == link.SubjectId)
                    .Select(row => new ConsentFacts(row.Id, row.Scopes, row.Status == ConsentStatus.Active, row.ExpiresAt)).ToList();
                facts.Add(new SubjectFacts(link.SubjectPublicId, details.Verified, age, link.CapturedAt, own));
            }
            result[group.Key] = new ImageConsentFacts(group.Key, facts);
        }
        return result;
    }

    private SubjectSummary Summarize(SubjectRow row, IReadOnlyList<ConsentRow> consents, DateTimeOffset now)
    {
        var states = consents.Select(c => ConsentView.StateOf(c, now)).ToList();
        return new SubjectSummary(row.PublicId, Unseal(row).Verified, Catalog.ImagesOfSubject(row.Id).Count,
            states.Count(s => s == ConsentStatus.Active), states.Count(s => s == ConsentView.Expired), states.Count(s => s == ConsentStatus.Revoked),
            row.CreatedBy, row.CreatedAt);
    }

    internal SubjectDetails Unseal(SubjectRow row) =>
        JsonSerializer.Deserialize<SubjectDetails>(session.Sealer.OpenText(row.Sealed, SubjectPurpose(row.PublicId)))
        ?? throw new AtelierException("bad-seal", $"subject {row.PublicId} has an empty sealed record");

    internal static string SubjectPurpose(string publicId) => $"subject {publicId}";
    internal static string DocumentPurpose(string publicId) => $"consent document {publicId}";
    internal static string DocumentNamePurpose(string publicId) => $"consent document name {publicId}";
}
