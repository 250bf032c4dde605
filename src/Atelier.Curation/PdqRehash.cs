using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Blocklists;
using Atelier.Hashing;
using Atelier.Imaging;
using Atelier.Ingest;

namespace Atelier.Curation;

/// <summary>What re-hashing old PDQ hashes did: how many it re-hashed, how many blobs it could not read, what a blocklist now caught.</summary>
public sealed record RehashSummary(int Rehashed, int Unreadable, IReadOnlyList<QuarantineRecord> Quarantined);

/// <summary>
/// Recomputes the PDQ hashes an older pipeline stored (<see cref="PdqPipelines.Old"/>: a DCT-scaled decode, or the
/// orientation applied) from the images' blobs, as ingest computes them now (<see cref="ReferencePdq"/>), and screens
/// each new hash against the imported PDQ blocklists: a hit is quarantined exactly as <c>blocklist import</c> does.
/// Decoding happens outside any transaction; each batch is stored in one write transaction (BEGIN IMMEDIATE) that
/// skips rows another process re-hashed or quarantined meanwhile.
/// </summary>
public sealed class PdqRehash(GovernanceSession session)
{
    private const int Batch = 32;

    private Catalog.Catalog Catalog => session.Workspace.Catalog;

    public RehashSummary Run()
    {
        var maxPixels = session.Workspace.Config.Ingest.MaxPixels;
        var quarantine = new Quarantine(session);
        var quarantined = new List<QuarantineRecord>();
        (BlocklistScreen Screen, long Lists, long LastList)? screen = null;
        int rehashed = 0, unreadable = 0;
        long after = 0;
        while (Catalog.ImagesWithOldPdq(after, Batch) is { Count: > 0 } batch)
        {
            after = batch[^1].Id;
            var hashed = new List<(long Id, ImagePdq Pdq)>();
            foreach (var (id, sha) in batch)
            {
                if (Hash(sha, maxPixels) is { } pdq) hashed.Add((id, pdq));
                else unreadable++;
            }
            if (hashed.Count == 0) continue;
            if (screen is null) quarantine.SweepLeftovers();

            using var tx = Catalog.BeginTransaction();
            // Loaded under the write lock and again whenever a list was imported since, so no list is missed.
            var lists = Catalog.ListBlocklists();
            var (count, last) = (lists.Count, lists.Count == 0 ? 0 : lists.Max(l => l.Id));
            if (screen is not { } s || s.Lists != count || s.LastList != last)
                screen = (BlocklistScreen.Load(Catalog), count, last);
            foreach (var (id, pdq) in hashed)
            {
                if (!Catalog.SetCurrentPdq(id, pdq.Stored.Hash.ToBytes(), pdq.Stored.Quality, pdq.Displayed?.ToBytes())) continue;
                rehashed++;
                if (Catalog.ImageToScreen(id) is { } image && screen.Value.Screen.MatchPdq(image) is { } hit)
                    quarantined.Add(quarantine.QuarantineImage(image, hit).Record);
            }
            tx.Commit();
        }
        return new RehashSummary(rehashed, unreadable, quarantined);
    }

    /// <summary>The image's hash from its blob, or null when the blob is gone or no longer decodes (it keeps its old hash).</summary>
    private ImagePdq? Hash(string sha256, long maxPixels)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(session.Workspace.Blobs.PathOf(sha256)); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
        try { return ReferencePdq.Of(bytes, maxPixels); }
        catch (ImageRejectedException) { return null; }
    }
}
