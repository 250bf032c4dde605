using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Pipeline;

/// <summary>What the user asked <c>atelier ingest</c> to do.</summary>
public sealed record IngestRequest
{
    public required IReadOnlyList<string> Sources { get; init; }
    /// <summary>Provenance source name; default: the folder, archive or list file name.</summary>
    public string? SourceName { get; init; }
    /// <summary>SPDX licence id for images whose metadata names none.</summary>
    public string? License { get; init; }
    public MetadataMapping Mapping { get; init; } = MetadataMapping.Default;
    /// <summary>Manifest file name looked for in each folder's or archive's root (e.g. <c>emoji.json</c>).</summary>
    public string? ManifestFileName { get; init; }
    /// <summary>Full path of a manifest file anywhere (<c>--metadata PATH</c>), matched against the files of every source.</summary>
    public string? ManifestPath { get; init; }
    /// <summary>Worker threads for decoding and hashing; default: one per core.</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
    /// <summary>Longest side of the stored thumbnail.</summary>
    public int ThumbnailSide { get; init; } = 128;
}

/// <summary>Live counters while an ingest runs.</summary>
public sealed record IngestProgress(int Seen, int Added, int Duplicates, int Rejected, string? Current);

/// <summary>The end-of-ingest summary: nothing is skipped silently.</summary>
public sealed record IngestSummary(
    long IngestId,
    int Added,
    int ExactDuplicates,
    int NearDuplicates,
    int AlreadyDone,
    int OptedOut,
    IReadOnlyDictionary<string, int> RejectedByReason,
    double Seconds,
    bool Interrupted,
    int Quarantined = 0)
{
    public int Rejected => RejectedByReason.Values.Sum();

    /// <summary>Files of folders and archives that are no image to ingest, by extension and reason (see <see cref="IngestSkip"/>).</summary>
    public IReadOnlyList<SkippedCount> SkippedByExtension { get; init; } = [];
    public int Skipped => SkippedByExtension.Sum(s => s.Files);

    /// <summary>Each manifest read: how many files matched one of its rows, and how many of its rows matched nothing.</summary>
    public IReadOnlyList<ManifestUsage> Manifests { get; init; } = [];

    /// <summary>The <c>--metadata</c> name when no source held a manifest by that name in its root.</summary>
    public string? ManifestNotFound { get; init; }
}

/// <summary>How many files with one extension were skipped for one reason.</summary>
public sealed record SkippedCount(string Extension, string Reason, int Files);
