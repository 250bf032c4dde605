using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Consent;

namespace Atelier.Governance.Tests;

public class ConsentLedgerTests
{
    private static AtelierException Refused(Action action) => Assert.Throws<AtelierException>(action);

    [Fact]
    public void GrantIsRefusedForUnknownScopeExpiredDateMissingOrEmptyDocumentAndUnlinkedImages()
    {
        using var f = new ConsentFixture();
        var ledger = f.Session.Consent;
        var subject = ledger.AddSubject(ConsentFixture.Person()).PublicId;
        var linked = f.Images.Take(2).ToList();
        ledger.Link(subject, ConsentFixture.Ids(linked), null);
        var doc = f.Document();

        Assert.Equal("bad-scope", Refused(() => ledger.Grant(subject, ["generative-training,selling"], ConsentFixture.Ids(linked), null, doc)).Code);
        Assert.Equal("bad-scope", Refused(() => ledger.Grant(subject, [" , "], ConsentFixture.Ids(linked), null, doc)).Code);
        Assert.Equal("bad-expiry", Refused(() => ledger.Grant(subject, ["likeness"], ConsentFixture.Ids(linked), DateTimeOffset.UtcNow.AddDays(-1), doc)).Code);
        var missing = Refused(() => ledger.Grant(subject, ["likeness"], ConsentFixture.Ids(linked), null, Path.Combine(f.Temp.Directory, "Jane-Doe-release.pdf")));
        Assert.Equal("no-document", missing.Code);
        Assert.DoesNotContain("Jane", missing.Message);
        Assert.Equal("no-document", Refused(() => ledger.Grant(subject, ["likeness"], ConsentFixture.Ids(linked), null, f.Document("", "empty.txt"))).Code);
        var notLinked = Refused(() => ledger.Grant(subject, ["likeness"], ConsentFixture.Ids(f.Images), null, doc));
        Assert.Equal("not-linked", notLinked.Code);
        Assert.Contains($"2 of the {f.Images.Count} selected images are not linked", notLinked.Message);
        Assert.Equal("unknown-subject", Refused(() => ledger.Grant("S-00000000", ["likeness"], ConsentFixture.Ids(linked), null, doc)).Code);
        Assert.Empty(f.Catalog.ListConsents());

        var granted = ledger.Grant(subject, ["Likeness, generative-training", "likeness"], ConsentFixture.Ids(linked), DateTimeOffset.UtcNow.AddDays(30), doc);
        Assert.Equal(["likeness", "generative-training"], granted.Scopes);
        Assert.Equal(linked, f.Catalog.ImagesOfConsent(granted.Id));
    }

    [Fact]
    public void RevokingTaintsEverySnapshotRunAndCheckpointBuiltOnTheImagesAndASecondRevokeIsRefused()
    {
        using var f = new ConsentFixture();
        var (subject, consent) = f.SubjectWithConsent();
        var snapshot = f.Catalog.AddSnapshot("faces", new string('1', 64), new string('2', 64), null, [f.Images[0], f.Images[1]]);
        var untouched = f.Catalog.AddSnapshot("other", new string('3', 64), new string('4', 64), null, [f.Temp.AddImage(new string('c', 64))]);
        var run = f.Catalog.AddRun("faces-run", snapshot, "dcgan", "{}", "test");
        var checkpoint = f.Catalog.AddCheckpoint(run.Id, 1000, new string('5', 64), "ck-1000.atc", null);
        var otherRun = f.Catalog.AddRun("other-run", untouched, "dcgan", "{}", "test");

        var result = f.Session.Consent.Revoke(consent.Id, "the subject withdrew");

        Assert.Equal(ConsentStatus.Revoked, result.Consent.State);
        Assert.Equal(["faces"], result.Snapshots);
        Assert.Equal(["faces-run"], result.Runs);
        Assert.Equal([checkpoint.Id], result.Checkpoints);
        Assert.Equal(new TaintCount(1, 1, 1), result.NewlyTainted);
        var cause = Assert.Single(f.Catalog.TaintsOf(TaintKind.Checkpoint, checkpoint.Id));
        Assert.Equal("consent-revoked", cause.CauseKind);
        Assert.Contains($"consent {consent.Id} of {subject} was revoked: the subject withdrew", cause.Cause);
        Assert.Single(f.Catalog.TaintsOf(TaintKind.Snapshot, snapshot.Id));
        Assert.Single(f.Catalog.TaintsOf(TaintKind.Run, run.Id));
        Assert.Empty(f.Catalog.TaintsOf(TaintKind.Snapshot, untouched.Id));
        Assert.Empty(f.Catalog.TaintsOf(TaintKind.Run, otherRun.Id));

        var again = Refused(() => f.Session.Consent.Revoke(consent.Id, "twice"));
        Assert.Equal("not-active", again.Code);
        Assert.Equal("no-reason", Refused(() => f.Session.Consent.Revoke(consent.Id, " ")).Code);
        Assert.Equal("unknown-consent", Refused(() => f.Session.Consent.Revoke(999, "none")).Code);
        Assert.Single(f.Session.Audit.Find(new AuditQuery(Action: AuditAction.ConsentRevoke)));
        Assert.True(f.Session.Audit.Verify().Intact);
    }

    [Fact]
    public void UnlinkingASubjectTaintsWhatWasBuiltOnTheImagesAndTheirFactsLoseTheSubject()
    {
        using var f = new ConsentFixture();
        var (subject, _) = f.SubjectWithConsent();
        var snapshot = f.Catalog.AddSnapshot("faces", new string('1', 64), new string('2', 64), null, [f.Images[0], f.Images[1]]);
        var run = f.Catalog.AddRun("faces-run", snapshot, "dcgan", "{}", "test");
        var checkpoint = f.Catalog.AddCheckpoint(run.Id, 1000, new string('5', 64), "ck-1000.atc", null);
        var untouched = f.Catalog.AddSnapshot("rest", new string('3', 64), new string('4', 64), null, [f.Images[2]]);

        var result = f.Session.Consent.Unlink(subject, ConsentFixture.Ids([f.Images[0]]), "linked to the wrong person");

        Assert.Equal(new SubjectUnlinking(subject, 1, new TaintCount(1, 1, 1)), result);
        Assert.Empty(f.Session.Consent.FactsFor([f.Images[0]])[f.Images[0]].Subjects);
        Assert.Single(f.Session.Consent.FactsFor([f.Images[1]])[f.Images[1]].Subjects);
        var cause = Assert.Single(f.Catalog.TaintsOf(TaintKind.Checkpoint, checkpoint.Id));
        Assert.Equal("subject-unlink", cause.CauseKind);
        Assert.Contains($"{subject} was unlinked from 1 image(s): linked to the wrong person", cause.Cause);
        Assert.Empty(f.Catalog.TaintsOf(TaintKind.Snapshot, untouched.Id));
        var entry = Assert.Single(f.Session.Audit.Find(new AuditQuery(Action: AuditAction.SubjectUnlink)));
        Assert.Contains("linked to the wrong person", entry.Detail);
        Assert.True(f.Session.Audit.Verify().Intact);

        // Not linked (any more), no reason, or not allowed: refused, nothing changes.
        Assert.Equal("not-linked", Refused(() => f.Session.Consent.Unlink(subject, ConsentFixture.Ids([f.Images[0]]), "again")).Code);
        Assert.Equal("no-reason", Refused(() => f.Session.Consent.Unlink(subject, ConsentFixture.Ids([f.Images[1]]), " ")).Code);
        var (_, token) = f.Session.Users.Add("ana", Role.Annotator);
        var annotator = GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment, "ana", token);
        Assert.Equal("forbidden", Refused(() => annotator.Consent.Unlink(subject, ConsentFixture.Ids([f.Images[1]]), "why not")).Code);
        Assert.Single(f.Session.Consent.FactsFor([f.Images[1]])[f.Images[1]].Subjects);
    }

    [Fact]
    public void FactsFollowGrantAndRevoke()
    {
        using var f = new ConsentFixture();
        var (subject, consent) = f.SubjectWithConsent();
        var now = DateTimeOffset.UtcNow;
        var facts = f.Session.Consent.FactsFor(f.Images)[f.Images[0]];
        var person = Assert.Single(facts.Subjects);
        Assert.Equal(subject, person.SubjectId);
        Assert.True(person.Verified);
        Assert.Equal(35, person.AgeAtCapture);
        Assert.True(Assert.Single(person.Consents).Allows(ConsentScope.GenerativeTraining, now));
        Assert.False(person.Consents[0].Allows(ConsentScope.Likeness, now));

        f.Session.Consent.Revoke(consent.Id, "withdrawn");
        Assert.False(f.Session.Consent.FactsFor(f.Images)[f.Images[0]].Subjects[0].Consents[0].Allows(ConsentScope.GenerativeTraining, now));
    }

    [Fact]
    public void ListingAndDescribingCountWithoutPersonalData()
    {
        using var f = new ConsentFixture();
        var (subject, consent) = f.SubjectWithConsent();
        var unverified = f.Session.Consent.AddSubject(ConsentFixture.Person("Second Person") with { Verifier = null }).PublicId;
        f.Session.Consent.Grant(subject, [ConsentScope.Likeness], ConsentFixture.Ids(f.Images.Take(1)), DateTimeOffset.UtcNow.AddYears(1), f.Document());
        f.Session.Consent.Revoke(consent.Id, "withdrawn");

        var list = f.Session.Consent.ListSubjects();
        var first = list.Single(s => s.SubjectId == subject);
        Assert.Equal((true, 4, 1, 0, 1), (first.Verified, first.LinkedImages, first.ActiveConsents, first.ExpiredConsents, first.RevokedConsents));
        Assert.False(list.Single(s => s.SubjectId == unverified).Verified);

        var view = f.Session.Consent.Describe(subject);
        Assert.Equal(f.Images, view.Images.Select(i => i.ImageId));
        Assert.All(view.Images, i => Assert.Equal(new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero), i.CapturedAt));
        Assert.Equal([ConsentStatus.Revoked, ConsentStatus.Active], view.Consents.Select(c => c.State));
        Assert.Equal(2, f.Session.Consent.ListConsents(subject).Count);
        Assert.Empty(f.Session.Consent.ListConsents(unverified));
        Assert.Equal(f.Images, f.Session.Consent.DescribeConsent(consent.Id).ImageIds);
    }

    [Fact]
    public void LinkRefusesACaptureDateBeforeBirthOrInTheFutureAndAnEmptySelection()
    {
        using var f = new ConsentFixture();
        var subject = f.Session.Consent.AddSubject(ConsentFixture.Person(dob: new DateOnly(2000, 6, 1))).PublicId;
        var before = Refused(() => f.Session.Consent.Link(subject, ConsentFixture.Ids(f.Images), new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal("bad-capture-date", before.Code);
        // The date of birth is not told; the subject's public id is random and may hold the same digits.
        Assert.DoesNotContain("2000", before.Message.Replace(subject, "", StringComparison.Ordinal));
        Assert.Equal("bad-capture-date", Refused(() => f.Session.Consent.Link(subject, ConsentFixture.Ids(f.Images), DateTimeOffset.UtcNow.AddDays(10))).Code);
        Assert.Equal("no-images", Refused(() => f.Session.Consent.Link(subject, Selector.Parse("tag:none"), null)).Code);
        Assert.Equal(2, f.Session.Consent.Link(subject, ConsentFixture.Ids(f.Images.Take(2)), null));
        Assert.Empty(f.Catalog.SubjectLinks(f.Images.Skip(2).ToList()));
    }

    [Fact]
    public void RevealIsForAdminsWithTheKeyAndIsAudited()
    {
        using var f = new ConsentFixture();
        var (subject, consent) = f.SubjectWithConsent("Ada Example", "P-778899", "release text 42");
        var (_, reviewerToken) = f.Session.Users.Add("rita", Role.Reviewer);
        var reviewer = GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment, "rita", reviewerToken);
        Assert.Equal(Role.Reviewer, reviewer.Actor.Role);

        var refused = Refused(() => reviewer.Consent.Reveal(subject));
        Assert.Equal("forbidden", refused.Code);
        Assert.Equal("forbidden", Refused(() => reviewer.Consent.RevealDocument(consent.Id)).Code);
        Assert.Equal("forbidden", Refused(() => reviewer.Consent.AddSubject(ConsentFixture.Person())).Code);
        Assert.Empty(f.Session.Audit.Find(new AuditQuery(Action: AuditAction.SubjectReveal)));
        // Facts are not personal data: a reviewer's policy check still sees them.
        Assert.True(reviewer.Consent.ListSubjects().Single().Verified);

        var owner = GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment);
        var details = owner.Consent.Reveal(subject);
        Assert.Equal(("Ada Example", "P-778899", new DateOnly(1990, 3, 4)), (details.LegalName, details.IdNumber, details.DateOfBirth));
        var document = owner.Consent.RevealDocument(consent.Id);
        Assert.Equal(("release.txt", "release text 42"), (document.FileName, System.Text.Encoding.UTF8.GetString(document.Bytes)));
        var reveals = owner.Audit.Find(new AuditQuery("subject", subject, AuditAction.SubjectReveal));
        Assert.Equal(2, reveals.Count);
        Assert.All(reveals, r => Assert.Equal("owner", r.Actor));
        Assert.DoesNotContain("Ada", string.Concat(reveals.Select(r => r.Detail)));

        File.Move(f.KeyRingPath, f.KeyRingPath + ".away");
        var noKey = Refused(() => GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment));
        Assert.Equal("missing-key", noKey.Code);
        Assert.DoesNotContain('\n', noKey.Message);
    }

    [Fact]
    public void SealedRecordsCannotBeSwappedBetweenSubjects()
    {
        using var f = new ConsentFixture();
        var a = f.Session.Consent.AddSubject(ConsentFixture.Person("First")).PublicId;
        var b = f.Session.Consent.AddSubject(ConsentFixture.Person("Second")).PublicId;
        // Someone with write access to the catalog copies a's sealed record over b's.
        f.Catalog.ResealSubject(f.Catalog.GetSubject(b)!.Id, f.Catalog.GetSubject(a)!.Sealed);
        Assert.Equal("bad-seal", Refused(() => f.Session.Consent.Reveal(b)).Code);
        Assert.Equal("First", f.Session.Consent.Reveal(a).LegalName);
    }
}
