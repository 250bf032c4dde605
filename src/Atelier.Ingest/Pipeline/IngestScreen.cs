using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Blocklists;
using Atelier.Hashing;

namespace Atelier.Ingest.Pipeline;

/// <summary>A file a blocklist caught (or whose exact bytes are already in quarantine, <see cref="Hit"/> null): it never becomes an image.</summary>
internal sealed record Blocked(IngestItem Item, string Source, string Sha256, string? Md5, PdqResult? Pdq, BlocklistHit? Hit) : WorkResult(Item.Origin, Source);

/// <summary>
/// The blocklist check of an ingest. Workers ask it about each new file before its plain bytes are
/// stored (exact hashes before decoding, PDQ after); the writer records what it stopped in quarantine.
/// </summary>
internal sealed class IngestScreen(Workspace workspace)
{
    private readonly BlocklistScreen _screen = BlocklistScreen.Load(workspace.Catalog);
    // Opened only when something is stopped: a plain ingest needs no governance session.
    private readonly Lazy<Quarantine> _quarantine = new(() => new Quarantine(GovernanceSession.For(workspace)));

    public static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    /// <summary>
    /// The MD5 of a file, only while an MD5 list is imported: it costs about a tenth of a large JPEG's
    /// ingest, and a list imported later computes the MD5s of stored images from their blobs.
    /// </summary>
    public string? Md5IfListed(byte[] bytes) => _screen.HasMd5 ? Md5(bytes) : null;

    /// <summary>Worker side, before decoding: bytes quarantined before, or an exact SHA-256/MD5 hit.</summary>
    public Blocked? Exact(IngestItem item, string source, string sha256, string? md5) =>
        _screen.WasQuarantined(sha256) ? new Blocked(item, source, sha256, md5, null, null)
        : _screen.MatchExact(sha256, md5) is { } hit ? new Blocked(item, source, sha256, md5, null, hit)
        : null;

    /// <summary>Worker side, after hashing: a PDQ hit on the stored or the displayed hash (only for hashes of quality 50 or more).</summary>
    public Blocked? Perceptual(IngestItem item, string source, string sha256, string? md5, PdqResult pdq, PdqHash? displayed) =>
        _screen.MatchPdq(pdq.Hash, pdq.Quality, displayed) is { } hit ? new Blocked(item, source, sha256, md5, pdq, hit) : null;

    /// <summary>Writer side, inside the batch transaction: records the stop (once per distinct file) and marks the origin done.</summary>
    public void Stop(Blocked blocked, Catalog.Catalog catalog)
    {
        if (blocked.Hit is { } hit)
            _quarantine.Value.StopIncoming(new IncomingFile(blocked.Item.Content, blocked.Sha256, blocked.Md5 ?? Md5(blocked.Item.Content), blocked.Pdq, blocked.Origin, blocked.Source), hit);
        catalog.MarkDone(blocked.Origin, null, "quarantined");
    }
}
