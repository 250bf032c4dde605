namespace Atelier.Catalog;

/// <summary>What ingest learned about an image; stored once per distinct SHA-256.</summary>
public sealed record ImageRecord
{
    public long Id { get; init; }
    public required string Sha256 { get; init; }
    public long SizeBytes { get; init; }
    public required string Format { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    public int Orientation { get; init; } = 1;
    public bool HasAlpha { get; init; }
    public bool HasColorProfile { get; init; }
    public int BitsPerChannel { get; init; } = 8;
    public int Frames { get; init; } = 1;
    /// <summary>PDQ hash, 32 bytes, or null when the image could not be hashed.</summary>
    public byte[]? Pdq { get; init; }
    public int? PdqQuality { get; init; }
    /// <summary>PDQ hash of the image as displayed, where its EXIF orientation turns or mirrors it; null when it is <see cref="Pdq"/>.</summary>
    public byte[]? PdqDisplayed { get; init; }
    /// <summary>Which PDQ pipeline computed <see cref="Pdq"/>: <see cref="PdqPipelines.Current"/> or an older one <c>curate</c> re-hashes.</summary>
    public int PdqPipeline { get; init; } = PdqPipelines.Current;
    /// <summary>Raised by every change of <see cref="Rating"/>; a change made on an older version is refused (the studio).</summary>
    public long RatingVersion { get; init; }
    /// <summary>The hash near duplicates are found by: the displayed image's (what a user and a training run see).</summary>
    public byte[]? PdqAsDisplayed => PdqDisplayed ?? Pdq;
    public double? BlurVariance { get; init; }
    public double? MeanLuma { get; init; }
    public double? DarkFraction { get; init; }
    public double? BrightFraction { get; init; }
    public double? Entropy { get; init; }
    public string? ThumbnailSha256 { get; init; }
    public string? Rating { get; init; }
    public bool Excluded { get; init; }
    public string? ExcludeReason { get; init; }
    public DateTimeOffset? CapturedAt { get; init; }
    public required string Source { get; init; }
    public string? License { get; init; }
    public string? SourceUrl { get; init; }
    public DateTimeOffset AddedAt { get; init; }
}

/// <summary>The PDQ pipelines whose hashes a catalog may hold (column <c>images.pdq_pipeline</c>).</summary>
public static class PdqPipelines
{
    /// <summary>
    /// Before the stored-pixel reference pipeline: a DCT-scaled decode (before commit 16668a2) or the full decode with the
    /// EXIF orientation applied. <c>curate</c> re-hashes these from their blobs.
    /// </summary>
    public const int Old = 1;

    /// <summary>The C++ reference's: the stored pixels (no orientation applied), decoded at full size, 512 x 512 nearest neighbour.</summary>
    public const int Current = 2;
}

/// <summary>Where one copy of an image came from. An image ingested twice has two provenance records.</summary>
public sealed record Provenance(
    string Origin,
    string? FileName,
    string Source,
    string? License,
    string? SourceUrl,
    string? MetadataJson,
    long? IngestId = null,
    DateTimeOffset AddedAt = default);

public sealed record ImageDetails(ImageRecord Image, IReadOnlyList<Tag> Tags, IReadOnlyList<ImageFlag> Flags, IReadOnlyList<Provenance> Provenance, IReadOnlyList<NearDuplicate> NearDuplicates);

public sealed record ImageFlag(string Flag, string? Detail);

public sealed record NearDuplicate(long OtherId, int Distance);

public sealed record Rejection(long Id, long? IngestId, string Origin, string? Source, string Code, string Message, DateTimeOffset At);

/// <summary>A file an ingest skipped because it is no image to ingest, with its extension and reason code.</summary>
public sealed record SkippedFile(string Origin, long? IngestId, string? Source, string Extension, string Reason, string Message, DateTimeOffset At);

public sealed record SkippedGroup(string Extension, string Reason, long Files);

public sealed record TagCount(string Name, string Category, long Images);

public sealed record SnapshotRecord(long Id, string Name, string RootHash, string ManifestSha256, string? Filter, int ImageCount, DateTimeOffset CreatedAt);

/// <summary>A training run: what it trained on (snapshot and its root hash), with which configuration and software;
/// <see cref="InitCheckpointId"/> is the checkpoint its weights started from (--init-from), null for fresh weights.</summary>
public sealed record RunRecord(long Id, string Name, long SnapshotId, string SnapshotRoot, string Model, string Config,
    string Software, string Status, long ImagesSeen, string? Message, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long? InitCheckpointId = null);

/// <summary>A checkpoint a run wrote. Deleted ones (pruned from disk) stay listed: samples may name them.</summary>
public sealed record CheckpointRecord(long Id, long RunId, long ImagesSeen, string Sha256, string FileName, double? Score, bool Deleted, DateTimeOffset CreatedAt);

/// <summary>One generated image and exactly what made it.</summary>
/// <param name="MarkPayload">Its watermark payload, 16 hex digits (null: made before marks, or unmarked); unique in the workspace.</param>
/// <param name="Format">The file's format: png or jpeg.</param>
public sealed record SampleRecord(long Id, long RunId, long CheckpointId, long Seed, int Index, string? Labels, string Sha256, string Path, DateTimeOffset CreatedAt,
    string? MarkPayload = null, string Format = "png");

/// <summary>
/// The outcome of a rating change made on a version someone was shown: applied, or the rating and version now stored;
/// <paramref name="Previous"/> is the rating it replaced (what an undo puts back).
/// </summary>
public sealed record RatingChange(bool Applied, string? Rating, long Version, string? Previous = null);
