using System.Net;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Consent;
using Atelier.TestSupport;

namespace Atelier.Studio.Tests;

public sealed class SubjectsTests : IAsyncLifetime
{
    private const string LegalName = "Jane Q. Example";
    private const string IdNumber = "PX-4471-09";
    private StudioFixture _studio = null!;
    private string _subject = "";
    private long _consent;

    public async ValueTask InitializeAsync()
    {
        _studio = await StudioFixture.StartAsync(images: 3);
        var owner = GovernanceSession.For(_studio.Temp.Workspace);
        _subject = owner.Consent.AddSubject(new SubjectDetails
        {
            LegalName = LegalName, DateOfBirth = new DateOnly(1990, 3, 4), IdDocumentType = "passport", IdNumber = IdNumber,
            VerificationMethod = "document check", Verifier = "verifier", VerifiedAt = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero),
        }).PublicId;
        var images = Selector.Parse(string.Join(',', _studio.ImageIds.Take(2)));
        owner.Consent.Link(_subject, images, new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var release = Path.Combine(_studio.Temp.Directory, "release.txt");
        File.WriteAllText(release, "signed release");
        _consent = owner.Consent.Grant(_subject, [ConsentScope.GenerativeTraining], images, null, release).Id;
    }

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnAdminSeesOpaqueIdsAndOpensPersonalDataOnlyOnRequestAudited()
    {
        using var admin = await _studio.SignedIn(Role.Admin);
        var list = await admin.GetStringAsync("/subjects", Cancel);
        Assert.Contains($"href=\"/subjects/{_subject}\"", list);
        Assert.DoesNotContain(LegalName, list);
        var page = await admin.GetStringAsync($"/subjects/{_subject}", Cancel);
        Assert.DoesNotContain(LegalName, page);
        Assert.Contains("1 / 0 / 0", list);
        var auditBefore = _studio.Temp.Catalog.AllAuditEntries().Count;

        var token = StudioPage.FormToken(page);
        var revealed = await admin.PostAsync($"/subjects/{_subject}?handler=Reveal",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Cancel);
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        var html = await revealed.Content.ReadAsStringAsync(Cancel);
        Assert.Contains(LegalName.Replace(".", "."), WebUtility.HtmlDecode(html));
        Assert.Contains(IdNumber, html);
        Assert.Contains("no-store", revealed.Headers.CacheControl!.ToString());
        var entry = _studio.Temp.Catalog.AllAuditEntries().Skip(auditBefore).Single();
        Assert.Equal(("admin-user", "subject-reveal"), (entry.Actor, entry.Action));
        Assert.DoesNotContain(LegalName, entry.Detail);
        Assert.DoesNotContain(LegalName, _studio.Log.ToString());

        // Without the page's token the data stays closed.
        var forged = await admin.PostAsync($"/subjects/{_subject}?handler=Reveal", new FormUrlEncodedContent(new Dictionary<string, string>()), Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.DoesNotContain(LegalName, await forged.Content.ReadAsStringAsync(Cancel));
    }

    [Theory]
    [InlineData(Role.Viewer)]
    [InlineData(Role.Annotator)]
    [InlineData(Role.Reviewer)]
    public async Task OtherRolesNeverReachSubjectsNorTheirData(Role role)
    {
        using var client = await _studio.SignedIn(role);
        foreach (var path in new[] { "/subjects", $"/subjects/{_subject}" })
        {
            var answer = await client.GetAsync(path, Cancel);
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.StartsWith("/denied", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
        var token = await StudioFixture.PageToken(client, "/signin");
        var post = await client.PostAsync($"/subjects/{_subject}?handler=Reveal",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Cancel);
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        Assert.DoesNotContain(LegalName, await post.Content.ReadAsStringAsync(Cancel));
        Assert.DoesNotContain(LegalName, await client.GetStringAsync("/", Cancel));
    }

    [Fact]
    public async Task RevokingAConsentFromThePageRecordsItAndSaysWhatItReached()
    {
        var owner = GovernanceSession.For(_studio.Temp.Workspace);
        Annotations.Rate(owner, Selector.All, "general");
        Atelier.Datasets.Snapshots.Create(_studio.Temp.Workspace, "set", null);
        using var admin = await _studio.SignedIn(Role.Admin);
        var imagePage = await admin.GetStringAsync($"/images/{_studio.ImageIds[0]}", Cancel);
        Assert.Contains("<span class=\"kind\">snapshot</span> 3 images", imagePage);
        Assert.DoesNotContain("tainted:", imagePage);
        var page = await admin.GetStringAsync($"/subjects/{_subject}", Cancel);
        var token = StudioPage.FormToken(page);
        var missingReason = await admin.PostAsync($"/subjects/{_subject}?handler=Revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["consent"] = _consent.ToString(System.Globalization.CultureInfo.InvariantCulture), ["reason"] = " ",
        }), Cancel);
        Assert.Contains("say why the consent is revoked", await missingReason.Content.ReadAsStringAsync(Cancel));
        var revoked = await admin.PostAsync($"/subjects/{_subject}?handler=Revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["consent"] = _consent.ToString(System.Globalization.CultureInfo.InvariantCulture), ["reason"] = "withdrawn by email",
        }), Cancel);
        var html = WebUtility.HtmlDecode(await revoked.Content.ReadAsStringAsync(Cancel));
        Assert.Contains($"Consent {_consent} revoked. Now tainted: snapshots set; runs none; 0 checkpoints.", html);
        var after = WebUtility.HtmlDecode(await admin.GetStringAsync($"/images/{_studio.ImageIds[0]}", Cancel));
        Assert.Contains($"tainted: consent {_consent} of {_subject} was revoked: withdrawn by email", after);
        Assert.Contains("revoked (withdrawn by email)", html);
        Assert.Equal("revoked", _studio.Temp.Catalog.GetConsent(_consent)!.Status);
        Assert.Single(_studio.Temp.Catalog.AllAuditEntries(), e => (e.Actor, e.Action) == ("admin-user", "consent-revoke"));
    }

    [Fact]
    public async Task AnAdminAddsASubjectLinksImagesAndRecordsAConsentWithAnUploadedRelease()
    {
        using var admin = await _studio.SignedIn(Role.Admin);
        const string name = "Rosa K. Example";
        var token = StudioPage.FormToken(await admin.GetStringAsync("/subjects", Cancel));
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["legalName"] = name, ["dob"] = "1988-07-09", ["idType"] = "passport", ["idIssuer"] = "somewhere",
            ["idNumber"] = "QQ-1234", ["verificationMethod"] = "document check", ["verifier"] = "front desk", ["verifiedAt"] = "2025-01-02",
        };
        var added = await admin.PostAsync("/subjects?handler=Add", new FormUrlEncodedContent(fields), Cancel);
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var id = added.Headers.Location!.OriginalString["/subjects/".Length..];
        Assert.Matches("^S-[0-9a-f]{8}$", id);
        Assert.Equal(name, GovernanceSession.For(_studio.Temp.Workspace).Consent.Reveal(id).LegalName);
        Assert.DoesNotContain(name, _studio.Log.ToString());
        Assert.DoesNotContain(name, string.Join('\n', _studio.Temp.Catalog.AllAuditEntries().Select(a => a.Detail)));

        // A refused form says which field, never echoes a value.
        var bad = await admin.PostAsync("/subjects?handler=Add", new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["dob"] = "2999-01-01" }), Cancel);
        var badPage = await bad.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("the date of birth is in the future", badPage);
        Assert.DoesNotContain(name, badPage);

        var page = await admin.GetStringAsync($"/subjects/{id}", Cancel);
        var third = _studio.ImageIds[2];
        var link = await admin.PostAsync($"/subjects/{id}?handler=Link", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = StudioPage.FormToken(page), ["images"] = third.ToString(System.Globalization.CultureInfo.InvariantCulture), ["captured"] = "2025-06-01",
        }), Cancel);
        Assert.Contains("Linked 1 more image.", await link.Content.ReadAsStringAsync(Cancel));

        using var form = new MultipartFormDataContent
        {
            { new StringContent(StudioPage.FormToken(page)), "__RequestVerificationToken" },
            { new StringContent(ConsentScope.GenerativeTraining), "scope" },
            { new StringContent(third.ToString(System.Globalization.CultureInfo.InvariantCulture)), "images" },
            { new ByteArrayContent("a signed release, scanned"u8.ToArray()), "document", "release-rosa.pdf" },
        };
        var granted = await admin.PostAsync($"/subjects/{id}?handler=Grant", form, Cancel);
        var grantedPage = await granted.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("recorded (generative-training)", grantedPage);
        var consent = Assert.Single(GovernanceSession.For(_studio.Temp.Workspace).Consent.ListConsents(id));
        Assert.Equal(1, consent.Images);
        var document = GovernanceSession.For(_studio.Temp.Workspace).Consent.RevealDocument(consent.ConsentId);
        Assert.Equal("a signed release, scanned"u8.ToArray(), document.Bytes);
        Assert.Equal("release-rosa.pdf", document.FileName);

        // No release: refused in one line, nothing recorded.
        using var empty = new MultipartFormDataContent
        {
            { new StringContent(StudioPage.FormToken(page)), "__RequestVerificationToken" },
            { new StringContent(ConsentScope.Likeness), "scope" },
            { new StringContent(third.ToString(System.Globalization.CultureInfo.InvariantCulture)), "images" },
        };
        Assert.Contains("attach the signed release", await (await admin.PostAsync($"/subjects/{id}?handler=Grant", empty, Cancel)).Content.ReadAsStringAsync(Cancel));
        Assert.Single(GovernanceSession.For(_studio.Temp.Workspace).Consent.ListConsents(id));
    }
}
