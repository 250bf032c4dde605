using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Consent;

namespace Atelier.Governance.Keys;

/// <summary>What <c>atelier keys rotate</c> did: the key retired, the key now active, and how many sealed values it re-sealed.</summary>
public sealed record KeyRotationResult(string OldKeyId, string NewKeyId, int Subjects, int Documents, int Quarantined);

/// <summary>
/// Replaces the workspace's active key and re-seals every sealed value under the new one.
/// Order matters for a crash: the ring is written first, holding the new key and the old one
/// (retired), so that every value stays readable whichever key sealed it; then all values are
/// re-sealed in one catalog transaction (new blobs are on disk before it commits); the replaced
/// blobs are deleted only after it commits. The retired key stays in the ring for good: audit
/// entries signed with it must still verify.
/// </summary>
public static class KeyRotation
{
    public static KeyRotationResult Rotate(GovernanceSession session) => Rotate(session, beforeCommit: null);

    /// <param name="beforeCommit">Test hook: runs inside the transaction just before it commits (a throw stands for a crash).</param>
    internal static KeyRotationResult Rotate(GovernanceSession session, Action? beforeCommit)
    {
        session.Actor.Require(Role.Admin, "rotate the workspace keys");
        var catalog = session.Workspace.Catalog;
        if (catalog.InTransaction) throw new InvalidOperationException("key rotation runs its own transaction");
        if (session.Keys.FilePath is null)
            throw new AtelierException("key-in-environment", $"the key comes from {KeyRing.KeyVariable}; rotation needs a key file (set {KeyRing.FileVariable})");
        // One rotation at a time: a second one waits for nothing, it is refused (the lock file stays; it is only a lock).
        using var rotationLock = TakeLock(session.Keys.FilePath + ".lock");
        var current = session.Keys.Reload();
        var oldKey = current.Active.Id;
        session.UseKeys(current.Rotate());
        var sealer = session.Sealer;
        var blobs = session.Workspace.Blobs;
        var replaced = new List<string>();
        int subjects = 0, documents = 0, quarantined = 0;
        using (var tx = catalog.BeginTransaction())
        {
            foreach (var subject in catalog.ListSubjects())
            {
                catalog.ResealSubject(subject.Id, Reseal(sealer, subject.Sealed, ConsentLedger.SubjectPurpose(subject.PublicId)));
                subjects++;
            }
            foreach (var consent in catalog.ListConsents())
            {
                var blob = blobs.PutDeferred(Reseal(sealer, blobs.Read(consent.DocumentBlob), ConsentLedger.DocumentPurpose(consent.SubjectPublicId)));
                var name = Reseal(sealer, consent.DocumentSealed, ConsentLedger.DocumentNamePurpose(consent.SubjectPublicId));
                catalog.ResealConsentDocument(consent.Id, blob, name);
                replaced.Add(consent.DocumentBlob);
                documents++;
            }
            foreach (var item in catalog.QuarantineSeals())
            {
                var blob = blobs.PutDeferred(Reseal(sealer, blobs.Read(item.SealedBlob), Blocklists.Quarantine.SealPurpose(item.Sha256)));
                catalog.ResealQuarantine(item.Id, blob);
                replaced.Add(item.SealedBlob);
                quarantined++;
            }
            // The new blobs must be on disk before the rows naming them commit.
            blobs.Flush();
            var newKey = session.Keys.Active.Id;
            session.Record(AuditAction.KeysRotated, new { oldKey, newKey, subjects, documents, quarantined });
            beforeCommit?.Invoke();
            catalog.AfterCommit(() => DeleteReplaced(session.Workspace, replaced));
            tx.Commit();
        }
        return new KeyRotationResult(oldKey, session.Keys.Active.Id, subjects, documents, quarantined);
    }

    private static FileStream TakeLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new AtelierException("rotation-running", "another key rotation is running in this workspace; try again when it has finished");
        }
    }

    private static byte[] Reseal(Sealer sealer, byte[] sealedValue, string purpose) => sealer.Seal(sealer.Open(sealedValue, purpose), purpose);

    private static void DeleteReplaced(Workspace workspace, IEnumerable<string> blobs)
    {
        foreach (var sha in blobs.Distinct(StringComparer.Ordinal))
        {
            if (workspace.Catalog.SealedBlobInUse(sha)) continue;
            // A blob that cannot be deleted now is only clutter: it is sealed under a key that stays in the ring.
            try { workspace.Blobs.Delete(sha); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
