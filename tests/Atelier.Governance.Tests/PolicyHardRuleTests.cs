using System.Text.Json;
using Atelier.Governance.Audit;
using Atelier.Governance.Consent;
using Atelier.Governance.Policy;

namespace Atelier.Governance.Tests;

/// <summary>The two hard rules, each way they fail and the cases that pass, on a real workspace.</summary>
public sealed class PolicyHardRuleTests : IDisposable
{
    private readonly PolicyFixture _f = new();

    public void Dispose() => _f.Dispose();

    private PolicyReport Evaluate(long image, DateTimeOffset? now = null, WorkspacePolicy? policy = null) =>
        PolicyGate.Evaluate(_f.Session, PolicyStage.Check, [image], policy: policy, now: now);

    private string[] Rules(long image, DateTimeOffset? now = null) => [.. Evaluate(image, now).Violations.Select(v => v.Rule)];

    [Theory]
    [InlineData("explicit")]
    [InlineData("questionable")]
    public void AVerifiedAdultWithGenerativeTrainingConsentPasses(string rating)
    {
        var (image, _, _) = _f.Consented(rating);
        var report = Evaluate(image);
        Assert.True(report.Clean, string.Join("\n", report.Lines()));
        Assert.Equal([image], report.PassedImageIds);
    }

    [Theory]
    [InlineData("general")]
    [InlineData("sensitive")]
    public void ImagesRatedGeneralOrSensitiveNeedNoSubject(string rating) =>
        Assert.Empty(Rules(_f.Image(rating)));

    [Fact]
    public void AnUnratedImageCannotSkipTheConsentRuleByNeverBeingRated()
    {
        // The hard case: nothing says whether an unrated image is explicit, so the strict policy keeps it out until it is rated.
        var unrated = _f.Image(rating: null);
        Assert.Equal([PolicyRule.RatingRequired], Rules(unrated));
        Assert.Equal([unrated], Evaluate(unrated).Violations.Select(v => v.ImageId));
    }

    [Theory]
    [InlineData("explicit")]
    [InlineData("questionable")]
    public void ARatedImageWithoutASubjectFails(string rating)
    {
        var image = _f.Image(rating);
        var v = Assert.Single(Evaluate(image).Violations);
        Assert.Equal(PolicyRule.SubjectRequired, v.Rule);
        Assert.True(v.Hard);
        Assert.Contains($"atelier subject link {image} --subject", v.Fix);
        Assert.Equal(_f.Catalog.GetImage(image)!.Sha256[..12], v.Sha256Prefix);
    }

    [Fact]
    public void AnUnverifiedSubjectFails()
    {
        var image = _f.Image("explicit");
        var subject = _f.Subject(new DateOnly(1990, 1, 1), verified: false);
        _f.Link(subject, image, PolicyFixture.Captured);
        _f.Grant(subject, image);
        Assert.Equal([PolicyRule.SubjectUnverified], Rules(image));
    }

    [Fact]
    public void ASubjectUnder18AtTheCaptureDateFailsEvenIfAdultToday()
    {
        var image = _f.Image("explicit");
        // Born 2005-09-01: 24 at the fixture's "now", but 17 on the day of capture.
        var subject = _f.Subject(new DateOnly(2005, 9, 1));
        _f.Link(subject, image, new DateTimeOffset(2023, 8, 31, 0, 0, 0, TimeSpan.Zero));
        _f.Grant(subject, image);
        var v = Assert.Single(Evaluate(image).Violations);
        Assert.Equal(PolicyRule.SubjectUnder18, v.Rule);
        Assert.Contains("under 18", v.Reason);

        // The day they turned 18 is old enough.
        var later = _f.Image("explicit");
        _f.Link(subject, later, new DateTimeOffset(2023, 9, 1, 0, 0, 0, TimeSpan.Zero));
        _f.Grant(subject, later);
        Assert.Empty(Rules(later));
    }

    [Fact]
    public void AnUnknownCaptureDateFails()
    {
        var image = _f.Image("explicit");
        var subject = _f.Adult();
        _f.Link(subject, image, null);
        _f.Grant(subject, image);
        var v = Assert.Single(Evaluate(image).Violations);
        Assert.Equal(PolicyRule.CaptureDateUnknown, v.Rule);
        Assert.Contains("--captured", v.Fix);
    }

    [Fact]
    public void TheImagesOwnCaptureDateCountsWhenTheLinkGivesNone()
    {
        var image = _f.Image("explicit", captured: PolicyFixture.Captured);
        var subject = _f.Adult();
        _f.Link(subject, image, null);
        _f.Grant(subject, image);
        Assert.Empty(Rules(image));
    }

    [Fact]
    public void NoConsentFails()
    {
        var image = _f.Image("explicit");
        _f.Link(_f.Adult(), image, PolicyFixture.Captured);
        var v = Assert.Single(Evaluate(image).Violations);
        Assert.Equal(PolicyRule.ConsentRequired, v.Rule);
        Assert.Contains("atelier consent grant --subject", v.Fix);
    }

    [Fact]
    public void ARevokedConsentFails()
    {
        var (image, _, consent) = _f.Consented();
        _f.Session.Consent.Revoke(consent, "withdrawn by the subject");
        Assert.Equal([PolicyRule.ConsentRevoked], Rules(image));
    }

    [Fact]
    public void AnExpiredConsentFailsOnceItsExpiryHasPassed()
    {
        var image = _f.Image("explicit");
        var subject = _f.Adult();
        _f.Link(subject, image, PolicyFixture.Captured);
        var expires = DateTimeOffset.UtcNow.AddDays(30);
        _f.Grant(subject, image, expires: expires);
        Assert.Empty(Rules(image, now: expires.AddDays(-1)));
        Assert.Equal([PolicyRule.ConsentExpired], Rules(image, now: expires));
        Assert.Equal([PolicyRule.ConsentExpired], Rules(image, now: expires.AddYears(1)));
    }

    [Fact]
    public void AConsentWithoutTheGenerativeTrainingScopeFails()
    {
        var image = _f.Image("explicit");
        var subject = _f.Adult();
        _f.Link(subject, image, PolicyFixture.Captured);
        _f.Grant(subject, image, scopes: ConsentScope.Likeness);
        var v = Assert.Single(Evaluate(image).Violations);
        Assert.Equal(PolicyRule.ConsentScope, v.Rule);
        Assert.Contains(ConsentScope.GenerativeTraining, v.Reason);
    }

    [Fact]
    public void EveryLinkedSubjectMustPass()
    {
        var (image, _, _) = _f.Consented();
        var second = _f.Adult();
        _f.Link(second, image, PolicyFixture.Captured);
        var v = Assert.Single(Evaluate(image).Violations);
        Assert.Equal(PolicyRule.ConsentRequired, v.Rule);
        Assert.Contains(second, v.Reason);
    }

    [Fact]
    public void AnotherSubjectsConsentDoesNotCover()
    {
        var (image, first, _) = _f.Consented();
        var other = _f.Consented().Subject;
        _f.Link(other, image, PolicyFixture.Captured);
        Assert.NotEqual(first, other);
        Assert.Equal([PolicyRule.ConsentRequired], Rules(image));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BlocklistedContentFailsWhateverElseHolds(bool markedQuarantined)
    {
        var (image, _, _) = _f.Consented("general");
        Assert.Empty(Rules(image));
        _f.Quarantine(image, markedQuarantined);
        var v = Assert.Single(Evaluate(image).Violations);
        Assert.Equal(PolicyRule.Blocklisted, v.Rule);
        Assert.True(v.Hard);
        // Even the most permissive policy file cannot let it through.
        var permissive = PolicyFile.Parse("version: 1\nallowed-licenses: ['*']\nrequire-source: false\n", "policy.yaml");
        Assert.Equal([PolicyRule.Blocklisted], Evaluate(image, policy: permissive).Violations.Select(x => x.Rule));
    }

    [Fact]
    public void TheReportCarriesNoPersonalDataAndTheEvaluationIsAudited()
    {
        var (good, _, _) = _f.Consented();
        var bad = _f.Image("explicit");
        var minor = _f.Subject(new DateOnly(2012, 2, 2));
        _f.Link(minor, bad, PolicyFixture.Captured);
        var report = PolicyGate.Evaluate(_f.Session, PolicyStage.Check, [good, bad]);
        Assert.Equal([good], report.PassedImageIds);
        Assert.Equal(1, report.ViolatingImages);
        Assert.Contains(PolicyRule.SubjectUnder18, report.Violations.Select(v => v.Rule));

        var json = JsonSerializer.Serialize(report) + string.Join("\n", report.Lines());
        foreach (var secret in new[] { "Alexandra", "Testperson", "X1234567", "2012-02-02", "1990-03-04", "passport" })
            Assert.DoesNotContain(secret, json);

        var entry = _f.Session.Audit.Find(new AuditQuery(Action: AuditAction.PolicyEvaluation)).Last();
        using var detail = JsonDocument.Parse(entry.Detail);
        Assert.Equal(PolicyStage.Check, detail.RootElement.GetProperty("stage").GetString());
        Assert.Equal(PolicyFile.BuiltIn.Sha256, detail.RootElement.GetProperty("policy").GetString());
        Assert.Equal(2, detail.RootElement.GetProperty("images").GetInt32());
        Assert.Equal(1, detail.RootElement.GetProperty("passed").GetInt32());
        Assert.Contains(entry.Refs, r => r.Kind == "image" && r.Ref == PolicyFixture.Id(bad));
        foreach (var secret in new[] { "Alexandra", "X1234567" }) Assert.DoesNotContain(secret, entry.Detail);
        Assert.True(_f.Session.Audit.Verify().Intact);
    }
}
