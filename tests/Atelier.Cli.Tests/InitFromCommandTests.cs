using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>
/// <c>train --init-from</c> through the CLI: a run started from another run's weights is recorded in the lineage, its
/// refusals are one line each, and a consent withdrawn from the first run's images reaches the runs built on its
/// weights, though they never saw those images.
/// </summary>
public sealed class InitFromCommandTests
{
    [Fact]
    public void Runs_started_from_a_model_are_in_its_lineage_and_a_withdrawn_consent_reaches_them()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        cli.Ok("ingest", Repo.EmojiSample, "--metadata", "emoji.json", "--map", "tags:category=category", "--license", "Apache-2.0", "--source", "noto");
        cli.Ok("rate", "all", "general");
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
        var consentId = cli.Ok("consent", "grant", "--subject", subject, "--scope", "generative-training", "--images", "tag:smileys_&_emotion",
            "--document", release, "--json").Json.GetProperty("consent").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
        cli.Ok("dataset", "create", "faces", "--where", "tag:smileys_&_emotion");
        cli.Ok("dataset", "create", "animals", "--where", "tag:animals_&_nature");
        string[] small = ["--resolution", "32", "--kimg", "0.032", "--batch", "16", "--snapshot-kimg", "0.016", "--device", "cpu"];

        cli.Ok(["train", "--dataset", "faces", .. small, "--name", "r1"]);
        var second = cli.Ok(["train", "--dataset", "animals", .. small, "--name", "r2", "--init-from", "r1"]);
        Assert.Matches(@"init from    run r1, checkpoint \d+ \(0\.03 kimg\)", second.Out);
        var third = cli.Ok(["train", "--dataset", "animals", .. small, "--name", "r3", "--init-from", "r2:best", "--freeze-d", "2"]);
        Assert.Matches(@"init from    run r2, checkpoint \d+ \(0\.03 kimg\), D's first 2 blocks frozen", third.Out);
        Assert.EndsWith(", D's first 2 blocks frozen", cli.Ok("runs", "show", "r3").Out.Split('\n').Single(l => l.StartsWith("  init from", StringComparison.Ordinal)).TrimEnd());

        // Each refusal is one line naming what is wrong, and records no run.
        foreach (var (args, reason) in new (string[], string)[]
                 {
                     (["--init-from", "r1", "--resolution", "64"], "--init-from r1:latest: the architectures do not fit: resolution 32 against 64"),
                     (["--init-from", "r1", "--model", "modern", "--resolution", "32"], "model dcgan against modern"),
                     (["--init-from", "nope", "--resolution", "32"], "--init-from nope:latest: no run named 'nope'"),
                     (["--init-from", "r1:999", "--resolution", "32"], "--init-from r1:999: run 'r1' has no checkpoint 999"),
                     (["--init-from", "r1:", "--resolution", "32"], "must be RUN or RUN:CHECKPOINT"),
                     (["--freeze-d", "1", "--resolution", "32"], "--freeze-d keeps D's first blocks as an earlier run left them: it needs --init-from RUN"),
                     (["--init-from", "r1", "--freeze-d", "4", "--resolution", "32"], "--freeze-d 4: D of dcgan at 32 px has 3 blocks, so 0..3"),
                     (["--init-from", "r1", "--freeze-d", "-1", "--resolution", "32"], "--freeze-d -1: D of dcgan at 32 px has 3 blocks, so 0..3"),
                 })
        {
            var refused = cli.Run(["train", "--dataset", "animals", "--kimg", "0.016", "--device", "cpu", "--name", "bad", .. args]);
            Assert.True(refused.Code == 1, $"{string.Join(' ', args)}: exit {refused.Code}, {refused.Error}");
            Assert.Contains(reason, refused.Error);
            Assert.Single(refused.Error.Trim().Split('\n'));
        }
        var both = cli.Run("train", "--resume", "r2", "--init-from", "r1");
        Assert.Equal(1, both.Code);
        Assert.Contains("give one of --resume and --init-from", both.Error);
        var refreeze = cli.Run("train", "--resume", "r3", "--freeze-d", "1");
        Assert.Equal(1, refreeze.Code);
        Assert.Contains("--freeze-d is fixed when a run starts; a resumed run keeps its own", refreeze.Error);
        Assert.DoesNotContain("bad", cli.Ok("runs", "list").Out);

        var show = cli.Ok("runs", "show", "r2");
        Assert.Matches(@"init from   run r1, checkpoint \d+ \(0\.03 kimg, sha256 [0-9a-f]{16}\)", show.Out);
        var init = cli.Ok("runs", "show", "r2", "--json").Json.GetProperty("initFrom");
        Assert.Equal("r1", init.GetProperty("run").GetString());
        var source = init.GetProperty("checkpointId").GetInt64();
        Assert.Contains($"initialised from checkpoint {source} of run r1", cli.Ok("lineage", "run:r2").Out);
        var downstream = cli.Ok("lineage", "run:r1").Out;
        Assert.Contains("run r2", downstream);
        Assert.Contains("run r3", downstream);
        var start = cli.Ok("audit", "show", "--run", "r2", "--json").Json.GetProperty("entries").EnumerateArray()
            .Single(e => e.GetProperty("action").GetString() == "training-start");
        var detail = start.GetProperty("detail");
        using var parsed = System.Text.Json.JsonDocument.Parse(detail.ValueKind == System.Text.Json.JsonValueKind.String ? detail.GetString()! : detail.GetRawText());
        var audited = parsed.RootElement.GetProperty("initFrom");
        Assert.Equal(("r1", source), (audited.GetProperty("run").GetString(), audited.GetProperty("checkpoint").GetInt64()));

        var revoke = cli.Ok("consent", "revoke", consentId, "--reason", "withdrawn by the subject");
        var taintedRuns = revoke.Out.Split('\n').Single(l => l.Contains("tainted runs", StringComparison.Ordinal));
        Assert.Contains("tainted runs (3): ", taintedRuns);
        foreach (var run in new[] { "r1", "r2", "r3" }) Assert.Contains(run, taintedRuns.Split(": ")[1].Split(", "));
        Assert.Contains("tainted snapshots (1): faces", revoke.Out);

        var samples = Path.Combine(cli.Directory, "samples");
        var sample = cli.Run("sample", "--run", "r3", "--n", "1", "--out", samples);
        Assert.Equal(1, sample.Code);
        Assert.Contains($"consent {consentId}", sample.Error);
        Assert.Contains("withdrawn by the subject", sample.Error);
        var resume = cli.Run("train", "--resume", "r2", "--kimg", "0.064");
        Assert.Equal(1, resume.Code);
        Assert.Contains("run r2 is tainted and cannot be trained further", resume.Error);
        var again = cli.Run(["train", "--dataset", "animals", .. small, "--name", "r4", "--init-from", "r3"]);
        Assert.Equal(1, again.Code);
        Assert.Contains("is tainted and cannot initialise a run", again.Error);
        Assert.Contains("withdrawn by the subject", again.Error);
        Assert.Contains("TAINTED", cli.Ok("lineage", "run:r3").Out);
        // The animals snapshot itself holds none of the withdrawn images: a new run from scratch on it is fine.
        cli.Ok(["train", "--dataset", "animals", .. small, "--name", "r5"]);
        Assert.StartsWith("Audit log intact", cli.Ok("audit", "verify").Out);
    }
}
