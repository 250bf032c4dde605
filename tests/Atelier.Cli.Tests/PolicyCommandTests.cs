using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Audit;
using Atelier.Governance.Consent;
using Atelier.Governance.Policy;
using Atelier.TestSupport;
using Atelier.Training.Networks;
using Atelier.Training.Runs;

namespace Atelier.Cli.Tests;

/// <summary>policy init/show/check, and the policy gate at dataset create, dataset export and train, through the real CLI.</summary>
public class PolicyCommandTests
{
    [Fact]
    public void InitShowAndABadPolicyFile()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var builtIn = cli.Ok("policy", "show");
        Assert.Contains("from              built-in default", builtIn.Out);
        Assert.Contains(PolicyFile.BuiltIn.Sha256, builtIn.Out);
        Assert.Contains("hard rules (always on)", builtIn.Out);
        Assert.Contains("memorization      a sample is withheld at PDQ <= 31 bits, features <= 0.05, or pixels <= 30 from a training image", builtIn.Out);

        var init = cli.Ok("policy", "init", "--json").Json;
        var path = init.GetProperty("path").GetString()!;
        Assert.Equal(Path.Combine(cli.Directory, ".atelier", "policy.yaml"), path);
        Assert.Equal(PolicyFile.BuiltIn.Sha256, init.GetProperty("sha256").GetString());
        Assert.Contains("Two rules are not configurable", File.ReadAllText(path)); // the file explains the hard rules

        var again = cli.Run("policy", "init");
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Error);

        File.WriteAllText(path, "version: 1\nrevision: \"2\"\nexcluded-flags: [blurry]\n");
        var shown = cli.Ok("policy", "show", "--json").Json.GetProperty("policy");
        Assert.Equal("2", shown.GetProperty("revision").GetString());
        Assert.Equal(path, shown.GetProperty("origin").GetString());
        Assert.Equal("blurry", shown.GetProperty("excludedFlags")[0].GetString());

        File.WriteAllText(path, "version: 1\nallow-blocklisted: true\n");
        foreach (var args in new[] { new[] { "policy", "show" }, ["dataset", "create", "x"] })
        {
            var bad = cli.Run(args);
            Assert.Equal(1, bad.Code);
            Assert.StartsWith("atelier: policy.yaml line 2: 'allow-blocklisted' would change a hard rule, and hard rules cannot be switched off", bad.Error);
            Assert.Single(bad.Error.Trim().Split('\n'));
        }
        cli.Ok("policy", "init", "--force");
        Assert.Contains(PolicyFile.BuiltIn.Sha256, cli.Ok("policy", "show").Out);
    }

    [Fact]
    public void UnratedImagesStayOutOfSnapshotsUntilRatedAndTheReportNamesThem()
    {
        using var cli = new CliRunner();
        using var images = new TempDir();
        for (var i = 0; i < 3; i++) images.Write($"pattern-{i}.png", SyntheticImages.Png(48, 48, i + 1));
        cli.Ok("init");
        cli.Ok("ingest", images.Path, "--license", "MIT", "--source", "studio");

        var report = cli.Ok("report");
        Assert.Contains("unrated: 3 images (1,2,3)", report.Out);
        Assert.Contains("atelier rate rating:unrated RATING", report.Out);
        var unrated = cli.Ok("report", "--json").Json.GetProperty("unrated");
        Assert.Equal(3, unrated.GetProperty("count").GetInt64());
        Assert.Equal([1L, 2L, 3L], unrated.GetProperty("first").EnumerateArray().Select(e => e.GetInt64()));
        Assert.True(unrated.GetProperty("requiredByPolicy").GetBoolean());

        var refused = cli.Run("dataset", "create", "raw");
        Assert.Equal(1, refused.Code);
        Assert.Contains("none of the 3 images", refused.Error);
        Assert.Contains("rating-required: the image is unrated", refused.Out);
        Assert.Contains("fix: rate it: 'atelier rate 1 ", refused.Out);

        cli.Ok("rate", "1,2", "general");
        var partial = cli.Ok("dataset", "create", "two", "--json").Json;
        Assert.Equal(2, partial.GetProperty("imageCount").GetInt32());
        var left = Assert.Single(partial.GetProperty("policy").GetProperty("violations").EnumerateArray());
        Assert.Equal((3L, "rating-required"), (left.GetProperty("imageId").GetInt64(), left.GetProperty("rule").GetString()));
        Assert.Contains("unrated: 1 images (3)", cli.Ok("report").Out);

        // Switched off, unrated images go in; switched back on, export and training refuse that snapshot.
        var policy = Path.Combine(cli.Directory, ".atelier", "policy.yaml");
        File.WriteAllText(policy, "version: 1\nrequire-rating: false\n");
        Assert.Equal(3, cli.Ok("dataset", "create", "all3", "--json").Json.GetProperty("imageCount").GetInt32());
        var relaxed = cli.Ok("report").Out;
        Assert.Contains("unrated: 1 images (3)", relaxed);
        Assert.Contains("require-rating: false", relaxed);
        Assert.False(cli.Ok("report", "--json").Json.GetProperty("unrated").GetProperty("requiredByPolicy").GetBoolean());
        File.WriteAllText(policy, "version: 1\nrequire-rating: true\n");
        var export = cli.Run("dataset", "export", "all3", "--resolution", "16", "--format", "folder", "--out", Path.Combine(cli.Directory, "out"));
        Assert.Equal(1, export.Code);
        Assert.Contains("image 3 rating-required", export.Error);
        Assert.False(Directory.Exists(Path.Combine(cli.Directory, "out")));
        var train = cli.Run("train", "--dataset", "all3", "--resolution", "32", "--kimg", "0.032", "--name", "r", "--device", "cpu");
        Assert.Equal(1, train.Code);
        Assert.Contains("rating-required", train.Error);
    }

    [Fact]
    public void CreateLeavesOutExportAndTrainRefuseAfterARevoke()
    {
        using var cli = new CliRunner();
        using var images = new TempDir();
        for (var i = 0; i < 4; i++) images.Write($"pattern-{i}.png", SyntheticImages.Png(48, 48, i + 1));
        cli.Ok("init");
        cli.Ok("ingest", images.Path, "--license", "MIT", "--source", "studio");
        cli.Ok("rate", "all", "general");
        cli.Ok("rate", "1", "explicit");

        var check = cli.Run("policy", "check");
        Assert.Equal(1, check.Code);
        Assert.Contains("3 of 4 images pass, 1 violate", check.Out);
        Assert.Contains("image 1 (", check.Out);
        Assert.Contains("subject-required: the image is rated explicit and no subject is linked to it; fix: link each person shown: 'atelier subject link 1 --subject S", check.Out);
        Assert.Contains("3 of 3 images pass", cli.Ok("policy", "check", "rating:general").Out);

        var created = cli.Ok("dataset", "create", "open");
        Assert.Contains("Created dataset open: 3 images", created.Out);
        Assert.Contains("image 1 (", created.Out);
        var json = cli.Ok("dataset", "create", "open-json", "--json").Json;
        Assert.Equal(3, json.GetProperty("imageCount").GetInt32());
        Assert.Equal("subject-required", json.GetProperty("policy").GetProperty("violations")[0].GetProperty("rule").GetString());
        Assert.Equal(PolicyFile.BuiltIn.Sha256, json.GetProperty("policy").GetProperty("policySha256").GetString());
        var nothing = cli.Run("dataset", "create", "none", "--where", "1");
        Assert.Equal(1, nothing.Code);
        Assert.Contains("none of the 1 images matching '1' passes the policy", nothing.Error);
        Assert.Contains("subject-required", nothing.Out);

        long consent;
        using (var ws = Workspace.Open(cli.Directory))
        {
            var session = GovernanceSession.Open(ws, k => cli.Environment.GetValueOrDefault(k));
            var subject = session.Consent.AddSubject(new SubjectDetails
            {
                LegalName = "Jordan Example", DateOfBirth = new DateOnly(1988, 8, 8),
                VerificationMethod = "document check", Verifier = "agency", VerifiedAt = DateTimeOffset.UtcNow.AddDays(-1),
            }).PublicId;
            session.Consent.Link(subject, Selector.Parse("1"), new DateTimeOffset(2025, 5, 5, 0, 0, 0, TimeSpan.Zero));
            consent = session.Consent.Grant(subject, [ConsentScope.GenerativeTraining], Selector.Parse("1"), null, images.Write("release.txt", "signed release")).Id;
        }
        Assert.Contains("Created dataset adults: 4 images", cli.Ok("dataset", "create", "adults").Out);
        Assert.Contains($"policy     atelier-default revision 1 (sha256 {PolicyFile.BuiltIn.Sha256})", cli.Ok("dataset", "show", "adults").Out);
        Assert.Contains("4 of 4 images pass", cli.Ok("policy", "check", "--dataset", "adults").Out);
        cli.Ok("dataset", "export", "adults", "--resolution", "16", "--format", "folder", "--out", Path.Combine(cli.Directory, "ok"));

        using (var ws = Workspace.Open(cli.Directory))
        {
            var session = GovernanceSession.Open(ws, k => cli.Environment.GetValueOrDefault(k));
            session.Consent.Revoke(consent, "withdrawn");
            var snapshot = ws.Catalog.GetSnapshot("adults")!;
            ws.Catalog.AddRun("earlier", snapshot, "dcgan", TrainingOptions.Defaults(ModelKind.Dcgan, "adults", "earlier").ToJson(), "test");
        }

        var export = cli.Run("dataset", "export", "adults", "--resolution", "16", "--format", "folder", "--out", Path.Combine(cli.Directory, "refused"));
        Assert.Equal(1, export.Code);
        Assert.StartsWith($"atelier: dataset 'adults' cannot be used for export: it is tainted: consent {consent} of S-", export.Error);
        Assert.Single(export.Error.Trim().Split('\n'));
        Assert.Contains("tainted: consent", export.Out);
        Assert.Contains("consent-revoked", export.Out);
        Assert.False(Directory.Exists(Path.Combine(cli.Directory, "refused")));

        var train = cli.Run("train", "--dataset", "adults", "--resolution", "32", "--kimg", "0.064", "--name", "new", "--json");
        Assert.Equal(1, train.Code);
        Assert.Contains("cannot be used for training-start", train.Error);
        var refusal = train.Json;
        Assert.Equal("policy-refused", refusal.GetProperty("refused").GetString());
        Assert.Equal("consent-revoked", refusal.GetProperty("policy").GetProperty("taints")[0].GetProperty("causeKind").GetString());

        // Timing training steps on a snapshot is training on it: the same refusal, nothing timed.
        var calibrate = cli.Run("cost", "calibrate", "--models", "dcgan", "--resolutions", "32", "--device", "cpu", "--dataset", "adults");
        Assert.Equal(1, calibrate.Code);
        Assert.StartsWith("atelier: dataset 'adults' cannot be used for training-start", calibrate.Error);
        Assert.False(File.Exists(Path.Combine(cli.Directory, ".atelier", "calibration.json")));

        var resume = cli.Run("train", "--resume", "earlier");
        Assert.Equal(1, resume.Code);
        Assert.Contains("cannot be used for training-resume", resume.Error);
        Assert.Equal(1, cli.Run("policy", "check", "--dataset", "adults").Code);

        using (var ws = Workspace.Open(cli.Directory))
        {
            var session = GovernanceSession.Open(ws, k => cli.Environment.GetValueOrDefault(k));
            var stages = session.Audit.Find(new AuditQuery(Action: AuditAction.PolicyEvaluation))
                .Select(e => JsonDocument.Parse(e.Detail).RootElement.GetProperty("stage").GetString()).ToHashSet();
            Assert.Superset(new HashSet<string?> { "check", "dataset-create", "export", "training-start", "training-resume" }, stages);
            Assert.Equal(3, session.Audit.Find(new AuditQuery(Action: AuditAction.Snapshot)).Count);
            Assert.Single(session.Audit.Find(new AuditQuery(Action: AuditAction.Export)));
            Assert.Empty(session.Audit.Find(new AuditQuery(Action: AuditAction.TrainingStart)));
            Assert.Null(ws.Catalog.GetRun("new"));
            Assert.True(session.Audit.Verify().Intact);
        }
    }
}
