using Atelier.Governance.Policy;

namespace Atelier.Governance.Tests;

/// <summary>Each configurable rule: failing under the policy that asks for it, passing when it is met or switched off.</summary>
public sealed class PolicyConfigurableRuleTests : IDisposable
{
    private readonly PolicyFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static WorkspacePolicy Policy(string body) => PolicyFile.Parse("version: 1\n" + body, "policy.yaml");

    private string[] Rules(long image, WorkspacePolicy? policy = null) =>
        [.. PolicyGate.Evaluate(_f.Session, PolicyStage.Check, [image], policy: policy ?? PolicyFile.BuiltIn).Violations.Select(v => v.Rule)];

    [Fact]
    public void AnImageWithoutALicenceFails()
    {
        var image = _f.Image(license: null);
        var v = Assert.Single(PolicyGate.Evaluate(_f.Session, PolicyStage.Check, [image]).Violations);
        Assert.Equal(PolicyRule.LicenseNotAllowed, v.Rule);
        Assert.False(v.Hard);
        Assert.Contains("no licence", v.Reason);
        Assert.Contains("--license", v.Fix);
    }

    [Fact]
    public void ALicenceOffTheListFailsUntilTheListAllowsIt()
    {
        var image = _f.Image(license: "GPL-3.0-only");
        var v = Assert.Single(PolicyGate.Evaluate(_f.Session, PolicyStage.Check, [image]).Violations);
        Assert.Equal(PolicyRule.LicenseNotAllowed, v.Rule);
        Assert.Contains("'GPL-3.0-only' is not on the policy's allowed list", v.Reason);
        Assert.Empty(Rules(image, Policy("allowed-licenses: [GPL-3.0-only]\n")));
        Assert.Equal([PolicyRule.LicenseNotAllowed], Rules(_f.Image(license: "MIT"), Policy("allowed-licenses: [GPL-3.0-only]\n")));
        Assert.Empty(Rules(_f.Image(license: "LicenseRef-acme-owned"), Policy("allowed-licenses: [LicenseRef-acme-*]\n")));
    }

    [Fact]
    public void AnImageWithoutASourceFailsWhenASourceIsRequired()
    {
        var image = _f.Image(source: "");
        Assert.Equal([PolicyRule.SourceRequired], Rules(image));
        Assert.Empty(Rules(image, Policy("require-source: false\n")));
        Assert.Empty(Rules(_f.Image(source: "noto-emoji")));
    }

    [Fact]
    public void AnUnratedImageFailsUntilItIsRatedOrTheRuleIsSwitchedOff()
    {
        var unrated = _f.Image(rating: null);
        var v = Assert.Single(PolicyGate.Evaluate(_f.Session, PolicyStage.Check, [unrated]).Violations);
        Assert.Equal(PolicyRule.RatingRequired, v.Rule);
        Assert.False(v.Hard);
        Assert.Contains("unrated", v.Reason);
        Assert.Contains($"atelier rate {unrated} ", v.Fix);
        Assert.Empty(Rules(unrated, Policy("require-rating: false\n")));
        foreach (var rating in new[] { "general", "sensitive" }) Assert.Empty(Rules(_f.Image(rating: rating)));
        // Rated questionable, the image meets the consent rule instead (here: no subject), never both.
        Assert.Equal([PolicyRule.SubjectRequired], Rules(_f.Image(rating: "questionable")));
    }

    [Fact]
    public void AnUnratedImageIsLeftOutOfASnapshotAndTheRatedOnesGoIn()
    {
        var rated = _f.Image(rating: "general");
        var unrated = _f.Image(rating: null);
        var report = PolicyGate.Evaluate(_f.Session, PolicyStage.DatasetCreate, [rated, unrated]);
        Assert.Equal([rated], report.PassedImageIds);
        Assert.Equal(unrated, Assert.Single(report.Violations).ImageId);
        Assert.Contains(report.Lines(), l => l.Contains($"image {unrated} ") && l.Contains(PolicyRule.RatingRequired) && l.Contains("atelier rate"));
    }

    [Fact]
    public void TheMinimumQualityIsOffByDefaultAndHoldsWhenSet()
    {
        var weak = _f.Image(pdqQuality: 30);
        var strong = _f.Image(pdqQuality: 80);
        Assert.Empty(Rules(weak));
        var policy = Policy("min-pdq-quality: 50\n");
        Assert.Equal([PolicyRule.QualityTooLow], Rules(weak, policy));
        Assert.Empty(Rules(strong, policy));
        Assert.Empty(Rules(_f.Image(pdqQuality: 50), policy));
    }

    [Fact]
    public void ExcludedFlagsKeepFlaggedImagesOut()
    {
        var blurry = _f.Image();
        var sharp = _f.Image();
        _f.Catalog.ReplaceFlags([], [(blurry, "blurry", "Laplacian variance 3 < 20"), (sharp, "too-dark", null)]);
        Assert.Empty(Rules(blurry));
        var policy = Policy("excluded-flags: [blurry, low-information]\n");
        var v = Assert.Single(PolicyGate.Evaluate(_f.Session, PolicyStage.Check, [blurry], policy: policy).Violations);
        Assert.Equal(PolicyRule.FlagExcluded, v.Rule);
        Assert.Contains("'blurry'", v.Reason);
        Assert.Empty(Rules(sharp, policy));
    }

    [Fact]
    public void OneImageCanBreakSeveralRulesAndEachIsReported()
    {
        var image = _f.Image(rating: "questionable", license: null, source: "", pdqQuality: 10);
        Assert.Equal([PolicyRule.SubjectRequired, PolicyRule.LicenseNotAllowed, PolicyRule.SourceRequired, PolicyRule.QualityTooLow],
            Rules(image, Policy("min-pdq-quality: 20\n")));
    }
}
