namespace Atelier.Governance.Policy;

/// <summary>
/// The configurable half of the governance rules, as read from <c>.atelier/policy.yaml</c> (or the
/// built-in strict default). The hard rules (blocklisted content; subjects and consent for
/// questionable or explicit images) are not here on purpose: nothing in a policy file can reach them.
/// </summary>
public sealed record WorkspacePolicy
{
    /// <summary>The one policy schema this Atelier reads.</summary>
    public const int SchemaVersion = 1;

    public int Version { get; init; } = SchemaVersion;
    public string Name { get; init; } = "atelier-default";
    /// <summary>The user's own version string for the policy (e.g. "2026-11 legal review").</summary>
    public string Revision { get; init; } = "built-in";
    /// <summary>SPDX ids an image's licence must be one of; an entry ending in <c>*</c> is a prefix (e.g. <c>LicenseRef-studio-*</c>).</summary>
    public IReadOnlyList<string> AllowedLicenses { get; init; } = DefaultLicenses;
    public bool RequireSource { get; init; } = true;
    /// <summary>
    /// Every image must be rated before it is snapshotted, exported or trained on. The consent rule applies to questionable and
    /// explicit images, and images come in unrated: without this an unrated explicit image would pass by never being rated.
    /// </summary>
    public bool RequireRating { get; init; } = true;
    /// <summary>Whether ingest refuses images carrying AI opt-out signals (IPTC/PLUS data mining, X-Robots-Tag noai). Stored and reported here; ingest acts on it.</summary>
    public bool HonourOptOut { get; init; } = true;
    /// <summary>Minimum PDQ quality (0-100); 0 turns the rule off.</summary>
    public int MinPdqQuality { get; init; }
    /// <summary>Curation or reviewer flags that keep an image out (e.g. blurry).</summary>
    public IReadOnlyList<string> ExcludedFlags { get; init; } = [];
    /// <summary>How close a generated sample may come to a training image before <c>atelier sample</c> withholds it.</summary>
    public MemorizationPolicy Memorization { get; init; } = MemorizationPolicy.Default;

    /// <summary>SHA-256 of the policy file's bytes (of the default file's text for the built-in policy): what snapshots and audit entries record.</summary>
    public string Sha256 { get; init; } = "";
    /// <summary>Where the policy came from: a file path, or "built-in default".</summary>
    public string Origin { get; init; } = PolicyFile.BuiltInOrigin;

    /// <summary>Open licences that allow training and redistribution of derived models; studios add their own LicenseRef-* ids.</summary>
    public static readonly IReadOnlyList<string> DefaultLicenses =
        ["CC0-1.0", "PDDL-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "OFL-1.1", "Unlicense"];

    /// <summary>
    /// True when <paramref name="license"/> is allowed. A simple SPDX expression is understood:
    /// "A OR B" needs one allowed alternative, "A AND B" needs every part allowed.
    /// </summary>
    public bool Allows(string? license)
    {
        if (string.IsNullOrWhiteSpace(license)) return false;
        var text = license.Trim().Trim('(', ')');
        var alternatives = text.Split(" OR ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return alternatives.Any(alt => alt.Split(" AND ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).All(AllowsOne));
    }

    private bool AllowsOne(string id) =>
        AllowedLicenses.Any(allowed => allowed.EndsWith('*')
            ? id.StartsWith(allowed[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(id, allowed, StringComparison.OrdinalIgnoreCase));
}
