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

    public SubjectRow AddSubject(SubjectDetails details)
    {
        session.Actor.Require(Role.Reviewer, "add subjects");
        if (string.IsNullOrWhiteSpace(details.LegalName)) throw new AtelierException("bad-subject", "a subject needs a legal name");
        var publicId = "S-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        SubjectRow row;
        using (var tx = Catalog.BeginTransaction())
        {
            row = Catalog.AddSubject(publicId, session.Sealer.Seal(JsonSerializer.Serialize(details), SubjectPurpose(publicId)), session.Actor.Name);
            session.Record(AuditAction.SubjectAdd, new { subject = publicId, verified = details.Verified }, GovernanceSession.Ref("subject", publicId));
            tx.Commit();
        }
        return row;
    }

    public SubjectRow GetSubject(string publicId) =>
        Catalog.GetSubject(publicId) ?? throw new AtelierException("unknown-subject", $"no subject '{publicId}' (see 'atelier subject list')");

    /// <summary>The personal data of a subject: admins only, and the reading is audited.</summary>
    public SubjectDetails Reveal(string publicId)
    {
        session.Actor.Require(Role.Admin, "see subjects' personal data");
        var row = GetSubject(publicId);
        var details = Unseal(row);
        session.Record(AuditAction.SubjectReveal, new { subject = publicId }, GovernanceSession.Ref("subject", publicId));
        return details;
    }

    public int Link(string publicId, Selector images, DateTimeOffset? capturedAt)
    {
        session.Actor.Require(Role.Reviewer, "link subjects to images");
        var subject = GetSubject(publicId);
        var ids = Catalog.SelectIds(images);
        if (ids.Count == 0) throw new AtelierException("no-images", $"no images match '{images.Text}'");
        using var tx = Catalog.BeginTransaction();
        var n = Catalog.LinkSubject(subject.Id, ids, capturedAt, session.Actor.Name);
        session.Record(AuditAction.SubjectLink, new { subject = publicId, images = ids.Count, capturedAt },
            [GovernanceSession.Ref("subject", publicId), .. ids.Select(GovernanceSession.Image)]);
        tx.Commit();
        return n;
    }

    /// <summary>Records a consent over images of the subject; the signed release is stored sealed in the blob store.</summary>
    public ConsentRow Grant(string publicId, IReadOnlyList<string> scopes, Selector images, DateTimeOffset? expires, string documentPath)
    {
        session.Actor.Require(Role.Reviewer, "record consents");
        var subject = GetSubject(publicId);
        var unknown = scopes.Where(s => !ConsentScope.All.Contains(s)).ToList();
        if (scopes.Count == 0 || unknown.Count > 0)
            throw new AtelierException("bad-scope", $"unknown consent scope '{string.Join(",", unknown)}': use {string.Join(", ", ConsentScope.All)}");
        if (expires is { } e && e <= DateTimeOffset.UtcNow) throw new AtelierException("bad-expiry", $"the consent would already be expired ({e:yyyy-MM-dd})");
        if (!File.Exists(documentPath)) throw new AtelierException("no-document", $"the signed release {documentPath} does not exist");
        var document = File.ReadAllBytes(documentPath);
        if (document.Length == 0) throw new AtelierException("no-document", $"the signed release {documentPath} is empty");
        var ids = Catalog.SelectIds(images);
        if (ids.Count == 0) throw new AtelierException("no-images", $"no images match '{images.Text}'");
        var linked = Catalog.ImagesOfSubject(subject.Id).ToHashSet();
        var notLinked = ids.Where(i => !linked.Contains(i)).ToList();
        if (notLinked.Count > 0)
            throw new AtelierException("not-linked", $"{notLinked.Count} of the {ids.Count} images are not linked to {publicId} (first: image {notLinked[0]}); link them first with 'atelier subject link'");
        var blob = session.Workspace.Blobs.Put(session.Sealer.Seal(document, DocumentPurpose(publicId)));
        var name = session.Sealer.Seal(Path.GetFileName(documentPath), DocumentNamePurpose(publicId));
        using var tx = Catalog.BeginTransaction();
        var row = Catalog.AddConsent(subject.Id, scopes, images.Text, expires, blob, name, session.Actor.Name, ids);
        session.Record(AuditAction.ConsentGrant, new { consent = row.Id, subject = publicId, scopes, images = ids.Count, expires },
            [GovernanceSession.Ref("consent", row.Id), GovernanceSession.Ref("subject", publicId), .. ids.Select(GovernanceSession.Image)]);
        tx.Commit();
        return row;
    }

    /// <summary>Withdraws a consent and taints every snapshot, run and checkpoint built on the images it covered.</summary>
    public (ConsentRow Consent, TaintCount Tainted) Revoke(long consentId, string reason)
    {
        session.Actor.Require(Role.Reviewer, "revoke consents");
        if (string.IsNullOrWhiteSpace(reason)) throw new AtelierException("no-reason", "say why the consent is revoked (--reason)");
        var consent = Catalog.GetConsent(consentId) ?? throw new AtelierException("unknown-consent", $"no consent {consentId} (see 'atelier consent list')");
        if (consent.Status != ConsentStatus.Active) throw new AtelierException("not-active", $"consent {consentId} is already {consent.Status}");
        var images = Catalog.ImagesOfConsent(consentId);
        using var tx = Catalog.BeginTransaction();
        Catalog.RevokeConsent(consentId, session.Actor.Name, reason);
        session.Record(AuditAction.ConsentRevoke, new { consent = consentId, subject = consent.SubjectPublicId, reason, images = images.Count },
            [GovernanceSession.Ref("consent", consentId), GovernanceSession.Ref("subject", consent.SubjectPublicId), .. images.Select(GovernanceSession.Image)]);
        var tainted = Lineage.Revocation.Taint(session, images, "consent-revoked", consentId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"consent {consentId} of {consent.SubjectPublicId} was revoked: {reason}");
        tx.Commit();
        return (Catalog.GetConsent(consentId)!, tainted);
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

    internal SubjectDetails Unseal(SubjectRow row) =>
        JsonSerializer.Deserialize<SubjectDetails>(session.Sealer.OpenText(row.Sealed, SubjectPurpose(row.PublicId)))
        ?? throw new AtelierException("bad-seal", $"subject {row.PublicId} has an empty sealed record");

    internal static string SubjectPurpose(string publicId) => $"subject {publicId}";
    internal static string DocumentPurpose(string publicId) => $"consent document {publicId}";
    internal static string DocumentNamePurpose(string publicId) => $"consent document name {publicId}";
}
