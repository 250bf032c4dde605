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

    /// <summary>File extensions (with dot, any case) taken from folders and archives; <c>null</c> takes every file. Others are ignored silently.</summary>
    public IReadOnlySet<string>? ImageExtensions { get; init; } = DefaultImageExtensions;

    public static readonly IReadOnlySet<string> DefaultImageExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".webp", ".gif", ".bmp", ".tif", ".tiff",
        ".avif", ".heic", ".heif", ".hif", ".jxl", ".ico", ".qoi", ".tga", ".pbm", ".pgm", ".ppm", ".pnm", ".pam", ".pfm",
    };

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

    /// <summary>How manifest, sidecar and URL-list fields become tags, rating, licence, etc.</summary>
    public MetadataMapping Mapping { get; init; } = MetadataMapping.Default;

    internal bool ShouldSkip(string origin) => Skip is not null && Skip(origin);
}
