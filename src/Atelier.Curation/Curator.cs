using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Hashing;

namespace Atelier.Curation;

/// <summary>
/// What <c>curate</c> found. <see cref="PdqRehashed"/>: old-pipeline PDQ hashes recomputed first (<see cref="PdqRehash"/>);
/// <see cref="PdqUnreadable"/>: old hashes left as they were because the blob is gone or no longer decodes;
/// <see cref="Quarantined"/>: images a blocklist caught by their new hash.
/// </summary>
public sealed record CurationSummary(int Images, IReadOnlyDictionary<string, int> Flagged, int NearDuplicatePairs, int NearDuplicateClusters,
    int PdqRehashed = 0, int PdqUnreadable = 0, int Quarantined = 0);

/// <summary>
/// Re-evaluates every image against the workspace's thresholds and finds near duplicates with the
/// PDQ index (distance ≤ threshold, both hashes of quality ≥ the PDQ minimum). In each cluster the
/// earliest image stays unflagged; the others get <c>near-duplicate</c> naming it.
/// </summary>
public sealed class Curator(Workspace workspace)
{
    public CurationSummary Run()
    {
        var session = GovernanceSession.For(workspace);
        session.Actor.Require(Role.Reviewer, "curate");
        // Before anything is judged: flags, near duplicates and blocklist matches then all use the reference's hashes.
        var rehash = new PdqRehash(session).Run();
        var catalog = workspace.Catalog;
        var t = workspace.Config.Curation;
        var images = catalog.ListImages(Selector.All);
        var flags = new List<(long, string, string?)>();
        foreach (var image in images)
            foreach (var (flag, detail) in QualityFlags.For(image, t))
                flags.Add((image.Id, flag, detail));

        var pairs = NearDuplicatePairs(images, t);
        foreach (var (id, keeper, distance) in FlagNonKeepers(pairs))
            flags.Add((id, QualityFlags.NearDuplicate, $"of image {keeper} at distance {distance}"));

        // Only the images judged here are rewritten: an ingest running meanwhile adds later ids with flags and pairs of their own.
        long? judged = images.Count == 0 ? 0 : images.Max(i => i.Id);
        using (var tx = catalog.BeginTransaction())
        {
            catalog.ReplaceFlags(QualityFlags.All, flags, judged);
            catalog.ReplaceNearDuplicates(pairs, judged);
            tx.Commit();
        }
        var counts = flags.GroupBy(f => f.Item2).ToDictionary(g => g.Key, g => g.Count());
        return new CurationSummary(images.Count, counts, pairs.Count, catalog.NearDuplicateClusters().Count,
            rehash.Rehashed, rehash.Unreadable, rehash.Quarantined.Count);
    }

    private static List<(long A, long B, int Distance)> NearDuplicatePairs(IReadOnlyList<ImageRecord> images, CurationThresholds t)
    {
        // The picture as displayed: two copies of a photo, one turned by its EXIF tag and one turned in its pixels, are duplicates.
        var hashed = images.Where(i => i.Pdq is not null && i.PdqQuality >= t.MinPdqQuality)
            .Select(i => (i.Id, Hash: PdqHashBytes.FromBytes(i.PdqAsDisplayed!))).ToList();
        var index = new PdqIndex(hashed.Select(h => h.Id).ToArray(), hashed.Select(h => h.Hash).ToArray());
        var pairs = new List<(long, long, int)>();
        foreach (var (id, hash) in hashed)
            foreach (var match in index.Query(hash, t.NearDuplicateDistance))
                if (match.Id > id) pairs.Add((id, match.Id, match.Distance));
        return pairs;
    }

    /// <summary>Each later image of a pair is flagged against its earliest near neighbour.</summary>
    private static IEnumerable<(long Id, long Keeper, int Distance)> FlagNonKeepers(List<(long A, long B, int Distance)> pairs) =>
        pairs.GroupBy(p => p.B).Select(g => g.OrderBy(p => p.A).First()).Select(p => (p.B, p.A, p.Distance));
}
