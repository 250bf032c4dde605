using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance.Consent;

namespace Atelier.Governance.Policy;

/// <summary>
/// Applies the hard rules and a policy to images, from facts alone (no I/O): the catalog's facts of
/// each image and the consent ledger's facts of its subjects. <see cref="PolicyGate"/> gathers the
/// facts and records the evaluation.
/// </summary>
public static class PolicyEvaluator
{
    /// <summary>Ratings that bring in the subject-and-consent rule.</summary>
    public static readonly string[] ConsentRatings = ["questionable", "explicit"];

    public const int AdultAge = 18;

    public static IReadOnlyList<PolicyViolation> Check(WorkspacePolicy policy, ImagePolicyFacts image, ImageConsentFacts? consent, DateTimeOffset now)
    {
        var prefix = image.Sha256.Length >= 12 ? image.Sha256[..12] : image.Sha256;
        var id = image.ImageId.ToString(CultureInfo.InvariantCulture);
        var found = new List<PolicyViolation>();
        void Add(string rule, string reason, string fix) => found.Add(new PolicyViolation(image.ImageId, prefix, rule, reason, fix));

        if (!image.Known)
        {
            Add(PolicyRule.ImageMissing, "the image is no longer in the catalog", "none: make a new snapshot without it");
            return found;
        }
        // Nothing else is said about blocklisted content: it never comes back, whatever else is fixed.
        if (image.Blocklisted)
        {
            Add(PolicyRule.Blocklisted, "the image matches a blocklist and is quarantined", "none: blocklisted content is never used (hard rule)");
            return found;
        }

        if (image.Rating is { } rating && ConsentRatings.Contains(rating))
            CheckSubjects(id, rating, consent?.Subjects ?? [], now, Add);
        else if (image.Rating is null && policy.RequireRating)
            Add(PolicyRule.RatingRequired, "the image is unrated, so whether it needs subjects and consent is unknown",
                $"rate it: 'atelier rate {id} general|sensitive|questionable|explicit' (or all unrated at once: 'atelier rate rating:unrated RATING')");

        if (!policy.Allows(image.License))
            Add(PolicyRule.LicenseNotAllowed,
                image.License is null ? "no licence is recorded" : $"licence '{image.License}' is not on the policy's allowed list",
                image.License is null
                    ? "ingest it again with --license ID (an id from allowed-licenses) or record its licence in the ingest metadata"
                    : $"use a copy under an allowed licence, or add '{image.License}' to allowed-licenses in the policy if your lawyers agree");
        if (policy.RequireSource && (string.IsNullOrWhiteSpace(image.Source) || image.Provenance == 0))
            Add(PolicyRule.SourceRequired, "no source is recorded for the image", "ingest it again naming its source (--source NAME)");
        if (policy.MinPdqQuality > 0 && (image.PdqQuality ?? 0) < policy.MinPdqQuality)
            Add(PolicyRule.QualityTooLow,
                image.PdqQuality is { } q ? $"PDQ quality {q} is below the policy's minimum {policy.MinPdqQuality}" : "the image has no PDQ quality",
                $"use a sharper, more detailed copy, or lower min-pdq-quality in the policy");
        // Images ingested while the policy did not honour opt-outs carry the flag; a policy that honours them keeps them out.
        if (policy.HonourOptOut && image.Flags.Contains(PolicyRule.OptedOut, StringComparer.Ordinal))
            Add(PolicyRule.OptedOut, "its source opted out of AI use (X-Robots-Tag noai/noimageai or XMP data mining prohibited)",
                "leave it out, or set honour-opt-out: false in the policy if you have the right to use it anyway");
        foreach (var flag in image.Flags.Where(f => policy.ExcludedFlags.Contains(f, StringComparer.OrdinalIgnoreCase)))
            Add(PolicyRule.FlagExcluded, $"the image is flagged '{flag}', which the policy excludes",
                $"leave it out, or take '{flag}' off excluded-flags in the policy");
        return found;
    }

    private static void CheckSubjects(string id, string rating, IReadOnlyList<SubjectFacts> subjects, DateTimeOffset now, Action<string, string, string> add)
    {
        if (subjects.Count == 0)
        {
            add(PolicyRule.SubjectRequired, $"the image is rated {rating} and no subject is linked to it",
                $"link each person shown: 'atelier subject link {id} --subject S --captured YYYY-MM-DD', or rate it general/sensitive if no one is shown");
            return;
        }
        foreach (var s in subjects)
        {
            if (!s.Verified)
                add(PolicyRule.SubjectUnverified, $"subject {s.SubjectId} is not verified",
                    $"record how, by whom and when the identity of {s.SubjectId} was verified");
            if (s.AgeAtCapture is not { } age)
                add(PolicyRule.CaptureDateUnknown, $"the capture date of the image is unknown, so the age of {s.SubjectId} at capture cannot be checked",
                    $"give the capture date: 'atelier subject link {id} --subject {s.SubjectId} --captured YYYY-MM-DD'");
            else if (age < AdultAge)
                add(PolicyRule.SubjectUnder18, $"subject {s.SubjectId} was under {AdultAge} at the capture date",
                    $"none: the image can never be used; exclude it ('atelier exclude {id} --reason minor')");
            CheckConsent(id, s, now, add);
        }
    }

    private static void CheckConsent(string id, SubjectFacts s, DateTimeOffset now, Action<string, string, string> add)
    {
        var scope = ConsentScope.GenerativeTraining;
        if (s.Consents.Any(c => c.Allows(scope, now))) return;
        var grant = $"'atelier consent grant --subject {s.SubjectId} --scope {scope} --images {id} --document FILE'";
        if (s.Consents.Count == 0)
            add(PolicyRule.ConsentRequired, $"no consent of {s.SubjectId} covers the image", $"record their signed release: {grant}");
        else if (s.Consents.Any(c => c.Active && (c.ExpiresAt is null || c.ExpiresAt > now)))
            add(PolicyRule.ConsentScope, $"the consent of {s.SubjectId} ({Ids(s.Consents.Where(c => c.Active))}) does not include {scope}",
                $"record a new release that includes {scope}: {grant}");
        else if (s.Consents.Any(c => c.Active))
            add(PolicyRule.ConsentExpired, $"the consent of {s.SubjectId} ({Ids(s.Consents.Where(c => c.Active))}) has expired",
                $"record a renewed release: {grant}");
        else
            add(PolicyRule.ConsentRevoked, $"the consent of {s.SubjectId} ({Ids(s.Consents)}) was revoked",
                "none unless the subject consents again; leave the image out");
    }

    private static string Ids(IEnumerable<ConsentFacts> consents) =>
        "consent " + string.Join(", ", consents.Select(c => c.ConsentId.ToString(CultureInfo.InvariantCulture)));
}
