using System.Globalization;
using System.Text.Json.Serialization;

namespace Atelier.Governance.Policy;

/// <summary>The rule ids a report names. The first group are hard rules; the rest come from the policy file.</summary>
public static class PolicyRule
{
    public const string Blocklisted = "blocklisted";
    public const string ImageMissing = "image-missing";
    public const string SubjectRequired = "subject-required";
    public const string SubjectUnverified = "subject-unverified";
    public const string CaptureDateUnknown = "capture-date-unknown";
    public const string SubjectUnder18 = "subject-under-18";
    public const string ConsentRequired = "consent-required";
    public const string ConsentRevoked = "consent-revoked";
    public const string ConsentExpired = "consent-expired";
    public const string ConsentScope = "consent-scope";

    public const string LicenseNotAllowed = "license-not-allowed";
    public const string SourceRequired = "source-required";
    public const string RatingRequired = "rating-required";
    public const string QualityTooLow = "quality-too-low";
    public const string FlagExcluded = "flag-excluded";
    public const string OptedOut = "opted-out";

    public static readonly string[] Hard =
        [Blocklisted, ImageMissing, SubjectRequired, SubjectUnverified, CaptureDateUnknown, SubjectUnder18, ConsentRequired, ConsentRevoked, ConsentExpired, ConsentScope];

    public static bool IsHard(string rule) => Hard.Contains(rule);
}

/// <summary>
/// One broken rule for one image: what is wrong and what would fix it. Names subjects only by their
/// opaque id; never carries personal data.
/// </summary>
public sealed record PolicyViolation(long ImageId, string Sha256Prefix, string Rule, string Reason, string Fix)
{
    public bool Hard => PolicyRule.IsHard(Rule);
}

/// <summary>A taint on the snapshot being used: a consent revoked or an image quarantined after it was frozen.</summary>
public sealed record PolicyTaint(string CauseKind, string CauseRef, string Cause);

/// <summary>The outcome of evaluating the policy over a set of images at one stage.</summary>
public sealed record PolicyReport(
    string Stage,
    string PolicyName,
    string PolicyRevision,
    string PolicySha256,
    string PolicyOrigin,
    DateTimeOffset EvaluatedAt,
    int Images,
    [property: JsonIgnore] IReadOnlyList<long> PassedImageIds,
    IReadOnlyList<PolicyViolation> Violations,
    IReadOnlyList<PolicyTaint> Taints)
{
    public int Passed => PassedImageIds.Count;
    public int ViolatingImages => Violations.Select(v => v.ImageId).Distinct().Count();
    /// <summary>No violation and no taint: the images may be used as they are.</summary>
    public bool Clean => Violations.Count == 0 && Taints.Count == 0;

    /// <summary>Violations counted by rule id, for the audit entry and summaries.</summary>
    public IReadOnlyDictionary<string, int> ByRule =>
        Violations.GroupBy(v => v.Rule).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The report as lines a person reads: a summary, each taint, then each violation with its fix.</summary>
    public IEnumerable<string> Lines(int maxViolations = 50)
    {
        yield return string.Create(CultureInfo.InvariantCulture,
            $"policy {PolicyName} revision {PolicyRevision} (sha256 {PolicySha256[..Math.Min(12, PolicySha256.Length)]}, {PolicyOrigin}) at {Stage}: " +
            $"{Passed} of {Images} images pass, {ViolatingImages} violate{(Taints.Count > 0 ? $", {Taints.Count} taints" : "")}");
        foreach (var t in Taints) yield return $"  tainted: {t.Cause} ({t.CauseKind} {t.CauseRef})";
        foreach (var v in Violations.Take(maxViolations))
            yield return string.Create(CultureInfo.InvariantCulture, $"  image {v.ImageId} ({v.Sha256Prefix}) {v.Rule}: {v.Reason}; fix: {v.Fix}");
        if (Violations.Count > maxViolations)
            yield return $"  ... and {Violations.Count - maxViolations} more violations (see --json)";
    }
}
