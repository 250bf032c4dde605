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
    public string? ManifestFileName { get; init; }
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
}
