using Atelier.Catalog;
using Atelier.Hashing;

namespace Atelier.Governance.Blocklists;

/// <summary>
/// Blocklist entries held in memory for matching: exact SHA-256 and MD5 sets and a PDQ index. Built
/// once (all lists at ingest, one new list at import), then only read, so ingest workers may query it
/// from many threads without touching the catalog.
/// </summary>
public sealed class BlocklistScreen
{
    /// <summary>PDQ distance within which a file matches a listed hash (the PDQ reference threshold).</summary>
    public const int MaxPdqDistance = PdqHasher.MatchThreshold;

    /// <summary>Below this PDQ quality an image's hash says too little to match on.</summary>
    public const int MinPdqQuality = PdqResult.MinUsefulQuality;

    private readonly Dictionary<long, BlocklistRecord> _lists;
    private readonly Dictionary<string, long> _sha256 = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _md5 = new(StringComparer.Ordinal);
    private readonly PdqIndex _pdq = new();
    private readonly HashSet<string> _quarantined;

    private BlocklistScreen(IEnumerable<BlocklistRecord> lists, IEnumerable<(long ListId, string Hash)> entries, IEnumerable<string> quarantined)
    {
        _lists = lists.ToDictionary(l => l.Id);
        var pdqIds = new List<long>();
        var pdqHashes = new List<PdqHash>();
        // Entries come ordered by list, so the earliest list that holds a hash is the one named.
        foreach (var (listId, hash) in entries)
        {
            switch (BlocklistKinds.Parse(_lists[listId].Kind))
            {
                case BlocklistKind.Sha256: _sha256.TryAdd(hash, listId); break;
                case BlocklistKind.Md5: _md5.TryAdd(hash, listId); break;
                case BlocklistKind.Pdq:
                    pdqIds.Add(listId);
                    pdqHashes.Add(PdqHash.Parse(hash));
                    break;
            }
        }
        if (pdqIds.Count > 0) _pdq.AddRange(pdqIds.ToArray(), pdqHashes.ToArray());
        _quarantined = quarantined.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Every imported list, and every SHA-256 already in quarantine (so the same bytes are stopped again).</summary>
    public static BlocklistScreen Load(Catalog.Catalog catalog) =>
        new(catalog.ListBlocklists(), catalog.BlocklistEntries(), catalog.QuarantinedSha256s());

    /// <summary>One list alone, for screening the catalog when it is imported.</summary>
    public static BlocklistScreen Of(BlocklistRecord list, IEnumerable<string> hashes) =>
        new([list], hashes.Select(h => (list.Id, h)), []);

    public bool HasPdq => _pdq.Count > 0;

    public bool HasMd5 => _md5.Count > 0;

    /// <summary>True when these exact bytes were quarantined before.</summary>
    public bool WasQuarantined(string sha256) => _quarantined.Contains(sha256);

    /// <summary>An exact SHA-256 or MD5 hit (hashes in lower-case hex), else null.</summary>
    public BlocklistHit? MatchExact(string sha256, string? md5)
    {
        if (_sha256.TryGetValue(sha256, out var list)) return Hit(list, null);
        if (md5 is not null && _md5.TryGetValue(md5, out list)) return Hit(list, null);
        return null;
    }

    /// <summary>The nearest listed PDQ hash within <see cref="MaxPdqDistance"/>, when the image's hash is good enough to trust.</summary>
    public BlocklistHit? MatchPdq(PdqHash hash, int quality)
    {
        if (quality < MinPdqQuality || _pdq.Count == 0) return null;
        var matches = _pdq.Query(hash, MaxPdqDistance);
        return matches.Count == 0 ? null : Hit(matches[0].Id, matches[0].Distance);
    }

    /// <summary>
    /// The nearer of the matches for an image's stored-pixel hash (the reference's) and its hash as displayed
    /// (<paramref name="displayed"/>, for an image its EXIF orientation turns), so a list made either way matches.
    /// </summary>
    public BlocklistHit? MatchPdq(PdqHash hash, int quality, PdqHash? displayed)
    {
        var stored = MatchPdq(hash, quality);
        if (displayed is not { } shown || shown == hash) return stored;
        var turned = MatchPdq(shown, quality);
        return turned is null || (stored is not null && stored.Distance <= turned.Distance) ? stored : turned;
    }

    /// <summary>A catalog image's PDQ match (stored hash and, where it differs, the displayed one).</summary>
    public BlocklistHit? MatchPdq(ScreenedImage image) =>
        image.Pdq is { } pdq
            ? MatchPdq(PdqHashBytes.FromBytes(pdq), image.PdqQuality ?? 0, image.PdqDisplayed is { } d ? PdqHashBytes.FromBytes(d) : null)
            : null;

    private BlocklistHit Hit(long listId, int? distance)
    {
        var list = _lists[listId];
        return new BlocklistHit(list.Id, list.Name, list.Version, BlocklistKinds.Parse(list.Kind), distance);
    }
}
