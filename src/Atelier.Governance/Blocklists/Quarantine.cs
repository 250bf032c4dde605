using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Lineage;
using Atelier.Hashing;

namespace Atelier.Governance.Blocklists;

/// <summary>A file stopped at ingest: its bytes and what identifies it; it never becomes a catalog image.</summary>
public sealed record IncomingFile(byte[] Content, string Sha256, string Md5, PdqResult? Pdq, string Origin, string Source);

/// <summary>
/// Takes blocklisted content out of reach. The original bytes are sealed (AES-GCM under the workspace
/// key) into a new blob; the plain blob, its thumbnail and any cached training export that holds its
/// pixels are deleted once the catalog commits; an audit entry names the list, version and distance;
/// and every snapshot, run and checkpoint built on the image is tainted.
/// </summary>
public sealed class Quarantine(GovernanceSession session)
{
    private Workspace Workspace => session.Workspace;
    private Catalog.Catalog Catalog => session.Workspace.Catalog;

    /// <summary>Authenticated with the sealed bytes, so a sealed blob cannot pass for another file's.</summary>
    public static string SealPurpose(string sha256) => $"quarantine {sha256}";

    /// <summary>Quarantines a catalog image. Runs inside the caller's transaction; files go once it commits.</summary>
    public (QuarantineRecord Record, TaintCount Tainted) QuarantineImage(ScreenedImage image, BlocklistHit hit)
    {
        // A plain blob already gone (a damaged store) must not keep the image visible: seal nothing instead.
        var path = Workspace.Blobs.PathOf(image.Sha256);
        var bytes = File.Exists(path) ? File.ReadAllBytes(path) : [];
        var sealedBlob = Workspace.Blobs.Put(session.Sealer.Seal(bytes, SealPurpose(image.Sha256)));
        var (origin, source) = Catalog.FirstOrigin(image.Id);
        var record = Catalog.AddQuarantine(new NewQuarantine(image.Id, image.Sha256, image.Md5, image.Pdq, image.PdqQuality, origin, source,
            hit.ListId, hit.Distance, sealedBlob, session.Actor.Name));
        Catalog.MarkQuarantined(image.Id);
        Audit(record, hit, GovernanceSession.Image(image.Id));
        var tainted = Revocation.Taint(session, [image.Id], Revocation.Quarantined, Id(record),
            $"image {image.Id} was quarantined: it matches blocklist {hit.ListName} {hit.ListVersion} ({hit.DistanceText})");

        // The blocklisted bytes go whatever else points at them; a thumbnail stays only while a visible image needs it.
        var thumbnail = image.ThumbnailSha256 is { } t && !Catalog.BlobInUse(t, image.Id) ? t : null;
        var exports = Catalog.SnapshotsOfImage(image.Id).Select(s => s.RootHash).ToList();
        Catalog.AfterCommit(() =>
        {
            Workspace.Blobs.Delete(image.Sha256);
            if (thumbnail is not null) Workspace.Blobs.Delete(thumbnail);
            foreach (var root in exports) DeleteTrainingExports(root);
        });
        return (record, tainted);
    }

    /// <summary>
    /// Records a file stopped at ingest (no catalog image is made; its plain bytes were never stored).
    /// The same bytes stopped again add nothing. Runs inside the caller's transaction.
    /// </summary>
    public QuarantineRecord StopIncoming(IncomingFile file, BlocklistHit hit)
    {
        if (Catalog.FindQuarantine(file.Sha256) is { } known) return known;
        var sealedBlob = Workspace.Blobs.Put(session.Sealer.Seal(file.Content, SealPurpose(file.Sha256)));
        var record = Catalog.AddQuarantine(new NewQuarantine(null, file.Sha256, file.Md5, file.Pdq?.Hash.ToBytes(), file.Pdq?.Quality, file.Origin,
            file.Source, hit.ListId, hit.Distance, sealedBlob, session.Actor.Name));
        Audit(record, hit);
        return record;
    }

    /// <summary>Metadata of everything in quarantine: reviewers and admins only, and never the pixels.</summary>
    public IReadOnlyList<QuarantineRecord> List()
    {
        session.Actor.Require(Role.Reviewer, "list quarantined files");
        return Catalog.ListQuarantine();
    }

    /// <summary>
    /// Finishes what a process killed between commit and clean-up left behind: plain blobs and
    /// thumbnails of quarantined images, and training exports of snapshots tainted by a quarantine.
    /// </summary>
    public void SweepLeftovers()
    {
        foreach (var q in Catalog.ListQuarantine()) Workspace.Blobs.Delete(q.Sha256);
        foreach (var thumbnail in Catalog.QuarantinedThumbnailsNotInUse()) Workspace.Blobs.Delete(thumbnail);
        foreach (var root in Catalog.SnapshotRootsTaintedBy(Revocation.Quarantined)) DeleteTrainingExports(root);
    }

    /// <summary>The original bytes (for an admin handing them to the authorities); never shown by the CLI.</summary>
    internal byte[] Open(QuarantineRecord record) =>
        session.Sealer.Open(Workspace.Blobs.Read(record.SealedBlob), SealPurpose(record.Sha256));

    private void Audit(QuarantineRecord record, BlocklistHit hit, params AuditRef[] more) =>
        session.Record(AuditAction.Quarantine,
            new { quarantine = record.Id, image = record.ImageId, list = hit.ListName, version = hit.ListVersion, kind = hit.Kind.Name(), distance = hit.Distance },
            [GovernanceSession.Ref("quarantine", record.Id), GovernanceSession.Ref("blocklist", hit.ListId), .. more]);

    /// <summary>Cached shard exports of a snapshot hold pixels, so they go.</summary>
    private void DeleteTrainingExports(string snapshotRoot)
    {
        foreach (var folder in Workspace.TrainingExportDirectories(snapshotRoot).ToList())
        {
            // Another process may be deleting it too, or renaming a finished export into place: gone is what is wanted.
            try { Directory.Delete(folder, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
    }

    private static string Id(QuarantineRecord record) => record.Id.ToString(CultureInfo.InvariantCulture);
}
