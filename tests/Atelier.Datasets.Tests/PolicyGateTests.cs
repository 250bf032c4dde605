using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Audit;
using Atelier.Governance.Consent;
using Atelier.Governance.Policy;
using Atelier.Imaging;
using Atelier.TestSupport;

namespace Atelier.Datasets.Tests;

/// <summary>The policy gate at dataset create (violators left out) and at export (re-evaluated, refused after a revoke or a policy change).</summary>
public sealed class PolicyGateTests : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly GovernanceSession _session;
    private readonly string _document;
    private int _seed;

    public PolicyGateTests()
    {
        _session = GovernanceSession.Open(_temp.Workspace, _ => null);
        _document = Path.Combine(_temp.Directory, "release.txt");
        File.WriteAllText(_document, "signed model release (test)");
    }

    public void Dispose() => _temp.Dispose();

    private Workspace Ws => _temp.Workspace;

    /// <summary>A real PNG in the blob store with its catalog record.</summary>
    private long Image(string? rating = "general", string? license = "MIT")
    {
        var png = SyntheticImages.Png(40, 32, ++_seed);
        var sha = Ws.Blobs.Put(png);
        using var tx = _temp.Catalog.BeginTransaction();
        var id = _temp.Catalog.AddImage(new ImageRecord { Sha256 = sha, Format = "png", Width = 40, Height = 32, SizeBytes = png.Length, Source = "test", Rating = rating, PdqQuality = 90 },
            new Provenance($"test:{_seed}", $"{_seed}.png", "test", license, null, null), []);
        tx.Commit();
        return id;
    }

    /// <summary>An explicit image of a verified adult with a generative-training consent; returns the image and the consent id.</summary>
    private (long Image, long Consent) Consented()
    {
        var image = Image("explicit");
        var subject = _session.Consent.AddSubject(new SubjectDetails
        {
            LegalName = "Test Subject", DateOfBirth = new DateOnly(1991, 1, 1),
            VerificationMethod = "document check", Verifier = "agency", VerifiedAt = DateTimeOffset.UtcNow.AddDays(-3),
        }).PublicId;
        var selector = Selector.Parse(image.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _session.Consent.Link(subject, selector, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));
        return (image, _session.Consent.Grant(subject, [ConsentScope.GenerativeTraining], selector, null, _document).Id);
    }

    private DatasetExportRequest Export(string name) =>
        new(name, Path.Combine(_temp.Directory, "exports", name + "-" + Guid.NewGuid().ToString("N")[..6]), 16, FitMode.Crop, new Rgb(255, 255, 255), ExportFormat.Folder);

    private DatasetExportResult RunExport(DatasetExportRequest request) => DatasetExport.Run(Ws, request, TestContext.Current.CancellationToken);

    private string LastEvaluationStage()
    {
        using var detail = JsonDocument.Parse(Audit(AuditAction.PolicyEvaluation).Last().Detail);
        return detail.RootElement.GetProperty("stage").GetString()!;
    }

    private IReadOnlyList<AuditRow> Audit(string action) => _session.Audit.Find(new AuditQuery(Action: action));

    [Fact]
    public void CreateLeavesOutViolatingImagesAndRecordsThePolicy()
    {
        var good = new[] { Image(), Image("sensitive", "Apache-2.0"), Consented().Image };
        var noSubject = Image("explicit");
        var gpl = Image(license: "GPL-3.0-only");

        var (record, manifest, report) = Snapshots.Create(Ws, "set", null);

        Assert.Equal(good.Order(), manifest.Items.Select(i => i.ImageId).Order());
        Assert.Equal(3, record.ImageCount);
        Assert.Equal(5, report.Images);
        Assert.Equal(PolicyStage.DatasetCreate, report.Stage);
        Assert.Contains(report.Violations, v => v.ImageId == noSubject && v.Rule == PolicyRule.SubjectRequired);
        Assert.Contains(report.Violations, v => v.ImageId == gpl && v.Rule == PolicyRule.LicenseNotAllowed);
        Assert.Equal(2, report.ViolatingImages);

        var (_, stored) = Snapshots.Load(Ws, "set");
        Assert.Equal(PolicyFile.BuiltIn.Sha256, stored.Metadata[Snapshots.PolicySha256Key]);
        Assert.Equal(PolicyFile.BuiltIn.Revision, stored.Metadata[Snapshots.PolicyRevisionKey]);

        var evaluation = Audit(AuditAction.PolicyEvaluation).Last();
        using (var detail = JsonDocument.Parse(evaluation.Detail))
        {
            Assert.Equal(PolicyStage.DatasetCreate, detail.RootElement.GetProperty("stage").GetString());
            Assert.Equal(2, detail.RootElement.GetProperty("violatingImages").GetInt32());
        }
        var snapshotEntry = Assert.Single(Audit(AuditAction.Snapshot));
        Assert.Contains(new AuditRef("snapshot", record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), snapshotEntry.Refs);
        Assert.True(evaluation.Seq < snapshotEntry.Seq);
    }

    [Fact]
    public void CreateRefusesWhenNoImagePasses()
    {
        Image("explicit");
        Image(license: null);
        var e = Assert.Throws<PolicyRefusedException>(() => Snapshots.Create(Ws, "nothing", null));
        Assert.Equal("policy-refused", e.Code);
        Assert.Contains("none of the 2 images", e.Message);
        Assert.Equal(2, e.Report.ViolatingImages);
        Assert.Null(_temp.Catalog.GetSnapshot("nothing"));
        Assert.Empty(Audit(AuditAction.Snapshot));
    }

    [Fact]
    public void ExportIsRefusedOnceAConsentIsRevoked()
    {
        Image();
        var (image, consent) = Consented();
        Snapshots.Create(Ws, "adults", null);
        var first = RunExport(Export("adults"));
        Assert.Equal(2, first.Images);
        Assert.True(first.Policy!.Clean);
        Assert.Single(Audit(AuditAction.Export));

        _session.Consent.Revoke(consent, "withdrawn");
        var request = Export("adults");
        var e = Assert.Throws<PolicyRefusedException>(() => RunExport(request));
        Assert.Contains("dataset 'adults' cannot be used for export: it is tainted", e.Message);
        Assert.Contains(e.Report.Taints, t => t.CauseKind == "consent-revoked");
        Assert.Contains(e.Report.Violations, v => v.ImageId == image && v.Rule == PolicyRule.ConsentRevoked);
        Assert.False(Directory.Exists(request.OutputDirectory));
        Assert.Single(Audit(AuditAction.Export));
        Assert.Equal(PolicyStage.Export, LastEvaluationStage());

        // A new snapshot leaves the image out and exports again.
        var (record, _, report) = Snapshots.Create(Ws, "adults-2", null);
        Assert.Equal(1, record.ImageCount);
        Assert.Contains(report.Violations, v => v.ImageId == image && v.Rule == PolicyRule.ConsentRevoked);
        Assert.Equal(1, RunExport(Export("adults-2")).Images);
    }

    [Fact]
    public void ExportIsJudgedByThePolicyInForceNow()
    {
        Image();
        Image(license: "Apache-2.0");
        Snapshots.Create(Ws, "mixed", null);
        File.WriteAllText(PolicyFile.DefaultPath(Ws), "version: 1\nrevision: \"2\"\nallowed-licenses: [MIT]\n");
        var e = Assert.Throws<PolicyRefusedException>(() => RunExport(Export("mixed")));
        Assert.Equal("2", e.Report.PolicyRevision);
        var v = Assert.Single(e.Report.Violations);
        Assert.Equal(PolicyRule.LicenseNotAllowed, v.Rule);
        Assert.Empty(e.Report.Taints);
    }
}
