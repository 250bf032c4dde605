using Atelier.Ingest.Metadata;

namespace Atelier.Ingest;

/// <summary>Limits and behaviour for reading a source. Defaults are safe for untrusted input.</summary>
public sealed record SourceOptions
{
    /// <summary>Refuse URLs and images that opt out of AI use (the policy's honour-opt-out); when false they are ingested and flagged opted-out.</summary>
    public bool HonourOptOut { get; init; } = true;

    /// <summary>Largest single file kept in memory; bigger ones are rejected with <c>file-too-large</c>.</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Archive bomb guard: total uncompressed bytes one archive may hold.</summary>
    public long MaxTotalUncompressedBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Archive bomb guard: uncompressed/compressed ratio of a whole archive (checked once past <see cref="RatioCheckFloorBytes"/>).</summary>
    public double MaxCompressionRatio { get; init; } = 100;

    /// <summary>Below this many uncompressed bytes the ratio is not checked: tiny archives of text compress well and cannot hurt.</summary>
    public long RatioCheckFloorBytes { get; init; } = 1024 * 1024;

    /// <summary>Most entries one archive may list.</summary>
    public int MaxEntries { get; init; } = 1_000_000;

    /// <summary>Most URL downloads in flight at once.</summary>
    public int HttpConcurrency { get; init; } = 8;

    /// <summary>Limit for one HTTP request (headers and body), per attempt and per redirect hop.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt on 5xx, 408, 429, timeouts and connection errors.</summary>
    public int HttpRetries { get; init; } = 3;

    /// <summary>First backoff delay; grows exponentially per retry, with jitter. A Retry-After header is waited instead when the server sends one (capped by <see cref="MaxRetryDelay"/>).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxRedirects { get; init; } = 5;

    public string UserAgent { get; init; } = "Atelier/0.1 (+dataset ingest; honours X-Robots-Tag noai)";

    /// <summary>Returns true for an origin already ingested; such items are neither read nor downloaded again.</summary>
    public Func<string, bool>? Skip { get; init; }

    /// <summary>Extra manifest file name looked for in the folder/archive root (e.g. <c>emoji.json</c>), besides <c>metadata.jsonl</c> and <c>metadata.csv</c>.</summary>
    public string? ManifestFileName { get; init; }

    /// <summary>
    /// A manifest the user pointed at (<c>--metadata PATH</c>), wherever it lives: its rows are matched against every folder's and
    /// archive's files by path relative to that source's root, else by bare file name; it wins over a manifest in the source.
    /// </summary>
    public ManifestIndex? ExternalManifest { get; init; }

    /// <summary>Full path of <see cref="ExternalManifest"/>'s file; a folder holding it does not count it as a skipped file.</summary>
    public string? ExternalManifestPath { get; init; }

    /// <summary>Where sources record the manifests they read, for the summary's "matched N files, M rows matched nothing".</summary>
    public ManifestTally Manifests { get; init; } = new();

    /// <summary>How manifest, sidecar and URL-list fields become tags, rating, licence, etc.</summary>
    public MetadataMapping Mapping { get; init; } = MetadataMapping.Default;

    internal bool ShouldSkip(string origin) => Skip is not null && Skip(origin);
}
