using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Hashing;

namespace Atelier.Governance.Blocklists;

/// <summary>What <c>atelier blocklist import</c> was asked to do. Signature and public key come together or not at all.</summary>
public sealed record BlocklistImportRequest(string FilePath, BlocklistKind Kind, string Name, string Version, string? SignaturePath = null, string? PublicKeyPath = null);

/// <summary>
/// The imported list, how many catalog images were screened against it (and how many needed their
/// MD5 computed first), what it quarantined and what that tainted downstream.
/// </summary>
public sealed record BlocklistImportResult(BlocklistRecord List, int Screened, int Md5Computed, IReadOnlyList<QuarantineRecord> Quarantined, TaintCount Tainted);

/// <summary>Imports hash blocklists and screens the whole catalog against each new one.</summary>
public sealed class BlocklistImporter(GovernanceSession session)
{
    private const int MaxLabelLength = 100;
    private const int Md5Batch = 512;

    private Catalog.Catalog Catalog => session.Workspace.Catalog;

    public BlocklistImportResult Import(BlocklistImportRequest request)
    {
        session.Actor.Require(Role.Admin, "import blocklists");
        var name = Label(request.Name, "name");
        var version = Label(request.Version, "version");
        if (request.PublicKeyPath is not null && request.SignaturePath is null)
            throw new AtelierException("unsigned-blocklist", "a public key was given but no signature (--signature): an unsigned list is not checked against a key");
        if (request.SignaturePath is not null && request.PublicKeyPath is null)
            throw new AtelierException("no-public-key", "a signature was given without the public key to check it (--public-key)");
        var content = ReadLimited(request.FilePath);
        string? signer = null;
        if (request.SignaturePath is not null)
            signer = BlocklistSignature.Verify(content, ReadSmall(request.SignaturePath, "signature"),
                System.Text.Encoding.UTF8.GetString(ReadSmall(request.PublicKeyPath!, "public key")));
        var file = BlocklistFile.Parse(content, request.Kind);
        if (Catalog.FindBlocklist(name, version) is not null)
            throw new AtelierException("blocklist-exists", $"blocklist {name} version {version} is already imported (a new version needs a new --version)");

        var quarantine = new Quarantine(session);
        quarantine.SweepLeftovers();
        var md5Computed = request.Kind == BlocklistKind.Md5 ? ComputeMissingMd5() : 0;

        using var tx = Catalog.BeginTransaction();
        // Asked again under the write lock: another import of the same version may have committed meanwhile.
        if (Catalog.FindBlocklist(name, version) is not null)
            throw new AtelierException("blocklist-exists", $"blocklist {name} version {version} is already imported (a new version needs a new --version)");
        var list = Catalog.AddBlocklist(name, version, request.Kind.Name(), file.Sha256, signer, session.Actor.Name, file.Hashes);
        session.Record(AuditAction.BlocklistImport,
            new { list = name, version, kind = list.Kind, entries = list.Entries, fileSha256 = file.Sha256, signer },
            GovernanceSession.Ref("blocklist", list.Id));
        var screen = BlocklistScreen.Of(list, file.Hashes);
        var images = Catalog.ImagesToScreen();
        var quarantined = new List<QuarantineRecord>();
        var (snapshots, runs, checkpoints) = (0, 0, 0);
        foreach (var image in images)
        {
            var hit = screen.MatchExact(image.Sha256, image.Md5)
                      ?? screen.MatchPdq(image);
            if (hit is null) continue;
            var (record, tainted) = quarantine.QuarantineImage(image, hit);
            quarantined.Add(record);
            (snapshots, runs, checkpoints) = (snapshots + tainted.Snapshots, runs + tainted.Runs, checkpoints + tainted.Checkpoints);
        }
        tx.Commit();
        return new BlocklistImportResult(list, images.Count, md5Computed, quarantined, new TaintCount(snapshots, runs, checkpoints));
    }

    public IReadOnlyList<BlocklistRecord> List()
    {
        session.Actor.Require(Role.Viewer, "list blocklists");
        return Catalog.ListBlocklists();
    }

    /// <summary>Images ingested before MD5s were kept get theirs from the blob, so an MD5 list can match them.</summary>
    private int ComputeMissingMd5()
    {
        var missing = Catalog.ImagesWithoutMd5();
        var done = 0;
        foreach (var batch in missing.Chunk(Md5Batch))
        {
            using var tx = Catalog.BeginTransaction();
            foreach (var (id, sha) in batch)
            {
                var path = session.Workspace.Blobs.PathOf(sha);
                if (!File.Exists(path)) continue; // a damaged store: the exact SHA-256 and PDQ checks still apply
                using (var stream = File.OpenRead(path))
                    Catalog.SetMd5(id, Convert.ToHexStringLower(MD5.HashData(stream)));
                done++;
            }
            tx.Commit();
        }
        return done;
    }

    private static string Label(string text, string what)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw new AtelierException("bad-blocklist-name", $"the blocklist {what} is empty");
        if (trimmed.Length > MaxLabelLength || trimmed.Any(char.IsControl))
            throw new AtelierException("bad-blocklist-name", $"the blocklist {what} must be at most {MaxLabelLength} printable characters");
        return trimmed;
    }

    private static byte[] ReadLimited(string path)
    {
        var info = new FileInfo(ExistingFile(path, "blocklist"));
        if (info.Length > BlocklistFile.MaxBytes)
            throw new AtelierException("bad-blocklist", $"blocklist file {path} is {info.Length >> 20} MiB; the limit is {BlocklistFile.MaxBytes >> 20} MiB");
        return File.ReadAllBytes(path);
    }

    /// <summary>Signatures and keys are a few kilobytes; anything far bigger is the wrong file.</summary>
    private static byte[] ReadSmall(string path, string what)
    {
        var info = new FileInfo(ExistingFile(path, what));
        if (info.Length > 64 * 1024) throw new AtelierException("file-too-large", $"the {what} file {path} is {info.Length} bytes: too large to be a {what}");
        return File.ReadAllBytes(path);
    }

    private static string ExistingFile(string path, string what) =>
        File.Exists(path) ? path : throw new AtelierException("no-file", $"the {what} file {path} does not exist");
}
