using System.Text.Json;
using System.Text.Json.Serialization;

namespace Atelier.Catalog;

/// <summary>The workspace's <c>config.json</c>. Every field has a default so older files keep working.</summary>
public sealed record WorkspaceConfig
{
    public int Version { get; init; } = 1;
    public IngestSettings Ingest { get; init; } = new();
    public CurationThresholds Curation { get; init; } = new();
    public CostSettings Cost { get; init; } = new();
    public StudioSettings Studio { get; init; } = new();
    /// <summary>Where the workspace key ring lives when not in the default place (ATELIER_KEY_FILE overrides it).</summary>
    public string? KeyFile { get; init; }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

public sealed record IngestSettings
{
    /// <summary>Images whose header declares more pixels are refused before decoding.</summary>
    public long MaxPixels { get; init; } = 100_000_000;
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;
    public int HttpConcurrency { get; init; } = 8;
    public int HttpTimeoutSeconds { get; init; } = 30;
    public int HttpRetries { get; init; } = 3;
    /// <summary>PDQ distance at or below which a new image is reported as a near duplicate.</summary>
    public int NearDuplicateDistance { get; init; } = 31;
}

/// <summary>The web studio's settings: the grid's keyboard shortcuts (a single character, or a key name such as Escape).</summary>
public sealed record StudioSettings
{
    public StudioKeys Keys { get; init; } = new();
}

public sealed record StudioKeys
{
    public string Select { get; init; } = " ";
    public string SelectAll { get; init; } = "a";
    public string ClearSelection { get; init; } = "Escape";
    public string Tags { get; init; } = "t";
    public string Undo { get; init; } = "z";
    public string RateGeneral { get; init; } = "1";
    public string RateSensitive { get; init; } = "2";
    public string RateQuestionable { get; init; } = "3";
    public string RateExplicit { get; init; } = "4";
    public string RateUnrated { get; init; } = "0";

    /// <summary>Each action and its key, in the names the page's script uses.</summary>
    public IReadOnlyDictionary<string, string> ByAction() => new Dictionary<string, string>
    {
        ["select"] = Select, ["selectAll"] = SelectAll, ["clearSelection"] = ClearSelection, ["tags"] = Tags, ["undo"] = Undo,
        ["general"] = RateGeneral, ["sensitive"] = RateSensitive, ["questionable"] = RateQuestionable, ["explicit"] = RateExplicit,
        ["unrated"] = RateUnrated,
    };

    /// <summary>A one-line refusal for an empty key or one key given to two actions.</summary>
    public void Check()
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (action, key) in ByAction())
        {
            if (string.IsNullOrEmpty(key) || key.Length > 16 || key.Any(char.IsControl))
                throw new AtelierException("bad-keys", $"studio key for {action} in config.json must be one character or a key name such as Escape");
            if (key.StartsWith("Arrow", StringComparison.Ordinal) || key == "Enter" || key == "Tab")
                throw new AtelierException("bad-keys", $"studio key for {action} cannot be {key}: arrows, Enter and Tab move and open");
            if (!seen.TryAdd(key, action))
                throw new AtelierException("bad-keys", $"studio key '{key}' is given to both {seen[key]} and {action} in config.json");
        }
    }
}

/// <summary>Thresholds used by <c>atelier curate</c> to flag images.</summary>
public sealed record CurationThresholds
{
    public int MinSide { get; init; } = 64;
    public double MaxAspect { get; init; } = 2.5;
    public double MinBlurVariance { get; init; } = 50;
    public double MaxDarkMeanLuma { get; init; } = 30;
    public double MinBrightMeanLuma { get; init; } = 230;
    public double MinEntropy { get; init; } = 3.0;
    public int MinPdqQuality { get; init; } = 50;
    public int NearDuplicateDistance { get; init; } = 31;
}

/// <summary>
/// Prices and factors that turn measured or estimated energy into money and CO2e (README, "Energy and cost").
/// The defaults are round placeholders to be replaced with the user's own tariff and grid.
/// </summary>
public sealed record CostSettings
{
    public string Currency { get; init; } = "EUR";
    /// <summary>Electricity price per kWh; default 0.30, a round figure for a European household tariff.</summary>
    public double PricePerKwh { get; init; } = 0.30;
    /// <summary>Rented accelerator price per GPU-hour (each GPU NVML sees, for the wall time); 0 for one's own hardware.</summary>
    public double PricePerGpuHour { get; init; }
    /// <summary>Rented machine price per hour of wall time; 0 for one's own hardware.</summary>
    public double PricePerInstanceHour { get; init; }
    /// <summary>Grid carbon intensity; default 475 g CO2e/kWh, the world average CodeCarbon applies when it knows no better (IEA).</summary>
    public double GramsCo2PerKwh { get; init; } = 475;
    /// <summary>Power of the CPU cores this machine sees at full load, for the estimate; unset: looked up by model name.</summary>
    public double? CpuTdpWatts { get; init; }
}
