using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>
/// The promise of issue 4 end to end through the CLI: images rated explicit (benign pictures carrying
/// that label) enter training only with a verified adult subject's consent, and withdrawing that
/// consent reaches the model: sampling is refused, naming the cause.
/// </summary>
public sealed class RevocationEndToEndTests
{
    [Fact]
    public void A_revoked_consent_reaches_the_model_and_sampling_is_refused()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        cli.Ok("ingest", Repo.EmojiSample, "--metadata", "emoji.json", "--map", "tags:category=category", "--license", "Apache-2.0", "--source", "noto");
        cli.Ok("rate", "tag:smileys_&_emotion", "explicit");

        var person = Path.Combine(cli.Directory, "person.json");
        File.WriteAllText(person, """
            {"legalName": "Test Person", "dob": "1990-02-03", "idType": "passport", "idNumber": "X1",
             "verificationMethod": "document check", "verifier": "records desk", "verifiedAt": "2025-01-10"}
            """);
        var subject = cli.Ok("subject", "add", "--from", person).Out.Trim();
        cli.Ok("subject", "link", "tag:smileys_&_emotion", "--subject", subject, "--captured", "2024-06-01");
        var release = Path.Combine(cli.Directory, "release.pdf");
        File.WriteAllText(release, "signed release (test fixture)");

        // Before consent the policy leaves the explicit images out of a snapshot.
        var early = cli.Run("dataset", "create", "early", "--where", "tag:smileys_&_emotion");
        Assert.Equal(1, early.Code);
        Assert.Contains("consent", early.Out + early.Error);

        var grant = cli.Ok("consent", "grant", "--subject", subject, "--scope", "generative-training", "--images", "tag:smileys_&_emotion",
            "--document", release, "--json").Json;
        var consentId = grant.GetProperty("consent").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var created = cli.Ok("dataset", "create", "faces", "--where", "tag:smileys_&_emotion", "--json").Json;
        var frozen = created.GetProperty("imageCount").GetInt32();
        Assert.True(frozen >= 16, $"only {frozen} images were frozen");

        cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.032", "--batch", "16", "--snapshot-kimg", "0.032",
            "--name", "r1", "--device", "cpu");
        var samples = Path.Combine(cli.Directory, "samples");
        cli.Ok("sample", "--run", "r1", "--n", "2", "--seed", "1", "--out", samples);
        var sampleFile = Directory.GetFiles(samples).Order(StringComparer.Ordinal).First();
        Assert.Contains("lineage      clean", cli.Ok("verify", sampleFile).Out);

        var revoke = cli.Ok("consent", "revoke", consentId, "--reason", "withdrawn by the subject");
        Assert.Contains("faces", revoke.Out);
        Assert.Contains("r1", revoke.Out);

        var refused = cli.Run("sample", "--run", "r1", "--n", "1", "--seed", "2", "--out", samples);
        Assert.Equal(1, refused.Code);
        Assert.Contains("tainted", refused.Error);
        Assert.Contains($"consent {consentId}", refused.Error);
        Assert.Contains("withdrawn by the subject", refused.Error);
        Assert.Equal(2, Directory.GetFiles(samples).Length);
        // The images already out there: verify names them and says the consent behind them was withdrawn (exit 1).
        var verdict = cli.Run("verify", sampleFile);
        Assert.Equal(1, verdict.Code);
        Assert.Contains("sample 1 of run r1", verdict.Out);
        Assert.Contains("lineage      TAINTED", verdict.Out);
        Assert.Contains("withdrawn by the subject", verdict.Out);
        Assert.NotEqual(0, cli.Run("export-model", "r1", "--format", "pytorch", "--out", Path.Combine(cli.Directory, "g.pt")).Code);
        Assert.NotEqual(0, cli.Run("train", "--resume", "r1", "--kimg", "0.064").Code);
        Assert.NotEqual(0, cli.Run("dataset", "export", "faces", "--resolution", "32", "--format", "folder", "--out", Path.Combine(cli.Directory, "out")).Code);

        Assert.Contains("TAINTED", cli.Ok("lineage", "run:r1").Out);
        var governance = cli.Ok("report", "--json").Json.GetProperty("report").GetProperty("governance");
        Assert.Equal((1, 0, 1, 1, 1), (governance.GetProperty("subjects").GetInt64(), governance.GetProperty("activeConsents").GetInt64(),
            governance.GetProperty("revokedConsents").GetInt64(), governance.GetProperty("taintedSnapshots").GetInt64(), governance.GetProperty("taintedRuns").GetInt64()));
        // A new snapshot over the same selection leaves the no-longer-consented images out.
        Assert.Equal(1, cli.Run("dataset", "create", "after", "--where", "tag:smileys_&_emotion rating:explicit").Code);

        var actions = cli.Ok("audit", "show", "--consent", consentId, "--json").Json.GetProperty("entries").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["consent-grant", "consent-revoke", "taint"], actions);
        var aboutRun = cli.Ok("audit", "show", "--run", "r1", "--json").Json.GetProperty("entries").EnumerateArray()
            .Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(["training-start", "sampling", "taint"], aboutRun.Where(a => a is "training-start" or "sampling" or "taint"));
        Assert.Contains("snapshot", cli.Ok("audit", "show", "--dataset", "faces", "--json").Out);
        Assert.StartsWith("Audit log intact", cli.Ok("audit", "verify").Out);
    }
}
