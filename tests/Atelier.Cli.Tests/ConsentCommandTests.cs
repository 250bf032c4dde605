using System.Text;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary><c>subject</c>, <c>consent</c> and <c>keys rotate</c> through the real CLI on a real workspace.</summary>
public class ConsentCommandTests
{
    private const string Name = "Zephyrine Quillfeather-Okonkwo";
    private const string OtherName = "Zephyra Nightquill";
    private const string IdNumber = "QX7741-9902-ZB";
    private const string DocumentText = "CLAUSE-MARIGOLD-58213";
    private static readonly string[] Secrets = [Name, OtherName, IdNumber, DocumentText];

    /// <summary>A workspace with <paramref name="count"/> real synthetic PNGs ingested (ids 1..count).</summary>
    private static CliRunner WorkspaceWithImages(int count = 3)
    {
        var cli = new CliRunner();
        cli.Ok("init");
        var folder = Path.Combine(cli.Directory, "incoming");
        Directory.CreateDirectory(folder);
        for (var i = 0; i < count; i++) File.WriteAllBytes(Path.Combine(folder, $"img{i}.png"), SyntheticImages.Png(48, 48, seed: 100 + i));
        cli.Ok("ingest", folder, "--source", "synthetic-src", "--license", "CC0-1.0");
        return cli;
    }

    private static string PersonFile(CliRunner cli, string dob = "1993-08-21")
    {
        var path = Path.Combine(cli.Directory, "private", "person.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $$"""
                                  { "legalName": "{{Name}}", "otherNames": ["{{OtherName}}"], "dob": "{{dob}}", "idType": "passport", "idIssuer": "Testland",
                                    "idNumber": "{{IdNumber}}", "verificationMethod": "document check", "verifier": "kim", "verifiedAt": "2024-03-01",
                                    "custodian": "records office" }
                                  """);
        return path;
    }

    private static string ReleaseFile(CliRunner cli)
    {
        var path = Path.Combine(cli.Directory, "private", "release.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"Model release. The undersigned agrees to {DocumentText}.");
        return path;
    }

    /// <summary>Adds a subject from the JSON file, links it to every image and grants a consent; returns the subject id.</summary>
    private static string SubjectWithConsent(CliRunner cli, List<CliResult>? outputs = null)
    {
        var add = cli.Ok("subject", "add", "--from", PersonFile(cli));
        var subject = add.Out.Trim();
        Assert.Matches("^S-[0-9a-f]{8}$", subject);
        var link = cli.Ok("subject", "link", "all", "--subject", subject, "--captured", "2025-04-01");
        var grant = cli.Ok("consent", "grant", "--subject", subject, "--scope", "generative-training,likeness", "--images", "all",
            "--document", ReleaseFile(cli), "--expires", "2031-01-01");
        outputs?.AddRange([add, link, grant]);
        return subject;
    }

    private static string AddUser(CliRunner cli, string name, Role role)
    {
        using var workspace = Workspace.Open(cli.Directory);
        return GovernanceSession.Open(workspace, k => cli.Environment.GetValueOrDefault(k)).Users.Add(name, role).Token;
    }

    private static bool Holds(byte[] bytes, string secret) =>
        Encoding.Latin1.GetString(bytes).Contains(secret, StringComparison.OrdinalIgnoreCase)
        || Encoding.Unicode.GetString(bytes).Contains(secret, StringComparison.OrdinalIgnoreCase)
        || Encoding.Unicode.GetString(bytes.AsSpan(Math.Min(1, bytes.Length))).Contains(secret, StringComparison.OrdinalIgnoreCase);

    /// <summary>Every file of the workspace's data folder (catalog, WAL, blobs, key ring, audit head, temporary files) that holds a secret.</summary>
    private static List<string> FilesHoldingSecrets(string dataDirectory, IEnumerable<string> secrets) =>
        Directory.EnumerateFiles(dataDirectory, "*", SearchOption.AllDirectories)
            .SelectMany(file => secrets.Where(s => Holds(File.ReadAllBytes(file), s)).Select(s => $"{Path.GetRelativePath(dataDirectory, file)}: {s}"))
            .ToList();

    private static void AssertOneLine(CliResult r, string expected)
    {
        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Out);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
        Assert.Contains(expected, r.Error);
    }

    [Fact]
    public void PersonalDataIsFoundNowhereInTheCatalogWalBlobsOrCommandOutputBeforeAndAfterKeyRotation()
    {
        using var cli = WorkspaceWithImages();
        var data = Path.Combine(cli.Directory, Workspace.DirectoryName);
        // Held open so that SQLite keeps the WAL: the last connection to close folds it into the database and deletes it.
        using var holder = Catalog.Catalog.Open(Path.Combine(data, "catalog.db"));
        var outputs = new List<CliResult>();
        var subject = SubjectWithConsent(cli, outputs);
        var typed = cli.Ok("subject", "add", "--legal-name", Name, "--other-name", OtherName, "--dob", "1993-08-21", "--id-type", "passport",
            "--id-number", IdNumber, "--custodian", "records office");
        outputs.Add(typed);
        var reviewerToken = AddUser(cli, "rita", Role.Reviewer);

        void RunEverything()
        {
            string[][] commands =
            [
                ["report"], ["report", "--json"], ["images", "list"], ["images", "show", "all"], ["images", "show", "all", "--json"],
                ["subject", "list"], ["subject", "list", "--json"], ["subject", "show", subject], ["subject", "show", subject, "--json"],
                ["subject", "show", typed.Out.Trim()], ["consent", "list"], ["consent", "list", "--subject", subject, "--json"],
                ["consent", "show", "1"], ["consent", "show", "1", "--json"],
            ];
            foreach (var args in commands) outputs.Add(cli.Ok(args));
            // Refusals must not quote personal data either, even when the input that caused them holds some.
            var badPerson = Path.Combine(cli.Directory, "private", "bad.json");
            File.WriteAllText(badPerson, $$"""{ "legalName": "{{Name}}", "dob": "{{IdNumber}}" }""");
            outputs.Add(cli.Run("subject", "add", "--from", badPerson));
            outputs.Add(cli.Run("subject", "link", "all", "--subject", subject, "--captured", "1950-01-01"));
            outputs.Add(cli.Run("consent", "grant", "--subject", subject, "--scope", "likeness", "--images", "all", "--document", Path.Combine(cli.Directory, "private", Name + ".pdf")));
            outputs.Add(cli.Run("--as", "rita", "--token", reviewerToken, "subject", "show", subject, "--reveal"));
            Assert.All(outputs.Skip(outputs.Count - 4), r => Assert.Equal(1, r.Code));
        }

        RunEverything();
        // The search does find the secrets where they legitimately are: in what an admin asks to see.
        var revealed = cli.Ok("subject", "show", subject, "--reveal");
        Assert.All(new[] { Name, OtherName, IdNumber }, s => Assert.True(Holds(Encoding.UTF8.GetBytes(revealed.Out), s)));
        var wal = new FileInfo(Path.Combine(data, "catalog.db-wal"));
        Assert.True(wal.Exists && wal.Length > 0, "the WAL should hold the recent writes");
        Assert.NotEmpty(FilesHoldingSecrets(data, ["synthetic-src"]));

        Assert.Empty(FilesHoldingSecrets(data, Secrets));
        Assert.All(outputs, r => Assert.DoesNotContain(Secrets, s => Holds(Encoding.UTF8.GetBytes(r.Out + r.Error), s)));

        outputs.Add(cli.Ok("keys", "rotate"));
        RunEverything();
        Assert.Contains(Name, cli.Ok("subject", "show", subject, "--reveal").Out);
        Assert.Empty(FilesHoldingSecrets(data, Secrets));
        Assert.All(outputs, r => Assert.DoesNotContain(Secrets, s => Holds(Encoding.UTF8.GetBytes(r.Out + r.Error), s)));
    }

    [Fact]
    public void RevealIsRefusedForAReviewerAndWithoutTheKeyAndAllowedForTheAdmin()
    {
        using var cli = WorkspaceWithImages(1);
        var subject = SubjectWithConsent(cli);
        var token = AddUser(cli, "rita", Role.Reviewer);

        AssertOneLine(cli.Run("--as", "rita", "--token", token, "subject", "show", subject, "--reveal"), "rita (reviewer) may not see subjects' personal data");
        AssertOneLine(cli.Run("--as", "rita", "--token", token, "subject", "add", "--from", PersonFile(cli)), "may not add subjects' personal data");
        var plain = cli.Ok("--as", "rita", "--token", token, "subject", "show", subject, "--json").Json;
        Assert.True(plain.GetProperty("subject").GetProperty("verified").GetBoolean());
        Assert.False(plain.TryGetProperty("personalData", out _));

        var revealed = cli.Ok("subject", "show", subject, "--reveal", "--json").Json.GetProperty("personalData");
        Assert.Equal(Name, revealed.GetProperty("legalName").GetString());
        Assert.Equal(IdNumber, revealed.GetProperty("idNumber").GetString());
        Assert.Equal("1993-08-21", revealed.GetProperty("dateOfBirth").GetString());

        var release = Path.Combine(cli.Directory, "release-copy.txt");
        AssertOneLine(cli.Run("--as", "rita", "--token", token, "consent", "show", "1", "--save-release", release), "may not read signed releases");
        Assert.False(File.Exists(release));
        cli.Ok("consent", "show", "1", "--save-release", release);
        Assert.Contains(DocumentText, File.ReadAllText(release));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(release)); // decrypted personal data
        AssertOneLine(cli.Run("consent", "show", "1", "--save-release", release), "already exists");

        var ring = Path.Combine(cli.Directory, Workspace.DirectoryName, "keyring.json");
        File.Move(ring, Path.Combine(cli.Directory, "keyring-elsewhere.json"));
        AssertOneLine(cli.Run("subject", "show", subject, "--reveal"), "the workspace key ring is not at");
        cli.Environment["ATELIER_KEY_FILE"] = Path.Combine(cli.Directory, "keyring-elsewhere.json");
        Assert.Contains(Name, cli.Ok("subject", "show", subject, "--reveal").Out);
    }

    [Fact]
    public void AnUnquotedNameIsRefusedWithoutRepeatingIt()
    {
        using var cli = WorkspaceWithImages(1);
        var r = cli.Run("subject", "add", "--legal-name", "Zephyrine", "Quillfeather", "--dob", "1990-01-01");
        AssertOneLine(r, "1 unexpected word(s) after the options");
        Assert.DoesNotContain("Quillfeather", r.Error);
        Assert.Equal("No subjects (add one with 'atelier subject add')", cli.Ok("subject", "list").Out.Trim());
    }

    [Fact]
    public void GrantRefusalsAreOneLineReasons()
    {
        using var cli = WorkspaceWithImages(2);
        var subject = cli.Ok("subject", "add", "--from", PersonFile(cli)).Out.Trim();
        cli.Ok("subject", "link", "1", "--subject", subject);
        var release = ReleaseFile(cli);
        string[] Grant(string scope, string images, string document, params string[] more) =>
            ["consent", "grant", "--subject", subject, "--scope", scope, "--images", images, "--document", document, .. more];

        AssertOneLine(cli.Run(Grant("generative-training,resale", "1", release)), "unknown consent scope 'resale'");
        AssertOneLine(cli.Run(Grant("likeness", "1", release, "--expires", "2020-01-01")), "the consent would already be expired (2020-01-01)");
        AssertOneLine(cli.Run(Grant("likeness", "1", release, "--expires", "next year")), "--expires 'next year' is not a date");
        AssertOneLine(cli.Run(Grant("likeness", "1", Path.Combine(cli.Directory, "none.pdf"))), "the signed release given with --document does not exist");
        var empty = Path.Combine(cli.Directory, "empty.pdf");
        File.WriteAllBytes(empty, []);
        AssertOneLine(cli.Run(Grant("likeness", "1", empty)), "is empty");
        AssertOneLine(cli.Run(Grant("likeness", "all", release)), "1 of the 2 selected images are not linked to " + subject);
        AssertOneLine(cli.Run("consent", "grant", "--subject", "S-00000000", "--scope", "likeness", "--images", "1", "--document", release), "no subject 'S-00000000'");
        Assert.Equal("No consents", cli.Ok("consent", "list").Out.Trim());

        var granted = cli.Ok(Grant("likeness", "1", release, "--json")).Json;
        Assert.Equal(1, granted.GetProperty("images").GetInt32());
        Assert.Equal("likeness", granted.GetProperty("scopes")[0].GetString());
    }

    [Fact]
    public void RevokePrintsWhatItTaintedAndASecondRevokeIsRefused()
    {
        using var cli = WorkspaceWithImages(3);
        var subject = SubjectWithConsent(cli);
        using (var workspace = Workspace.Open(cli.Directory))
        {
            var catalog = workspace.Catalog;
            var snapshot = catalog.AddSnapshot("faces", new string('1', 64), new string('2', 64), null, [1, 2]);
            var run = catalog.AddRun("faces-run", snapshot, "dcgan", "{}", "test");
            catalog.AddCheckpoint(run.Id, 1000, new string('3', 64), "ck-1000.atc", null);
            catalog.AddCheckpoint(run.Id, 2000, new string('4', 64), "ck-2000.atc", null);
        }

        var revoked = cli.Ok("consent", "revoke", "1", "--reason", "withdrawn by the subject").Out;
        Assert.Contains($"Revoked consent 1 of {subject} (3 image(s))", revoked);
        Assert.Contains("tainted snapshots (1): faces", revoked);
        Assert.Contains("tainted runs (1): faces-run", revoked);
        Assert.Contains("tainted checkpoints (2): 1-2", revoked);
        AssertOneLine(cli.Run("consent", "revoke", "1", "--reason", "again"), "consent 1 is already revoked");

        var shown = cli.Ok("consent", "show", "1", "--json").Json.GetProperty("consent");
        Assert.Equal("revoked", shown.GetProperty("state").GetString());
        Assert.Equal("withdrawn by the subject", shown.GetProperty("revokeReason").GetString());
        var listed = cli.Ok("subject", "list", "--json").Json.GetProperty("subjects")[0];
        Assert.Equal((0, 1, 3), (listed.GetProperty("activeConsents").GetInt32(), listed.GetProperty("revokedConsents").GetInt32(), listed.GetProperty("linkedImages").GetInt32()));

        using var reopened = Workspace.Open(cli.Directory);
        var taint = Assert.Single(reopened.Catalog.TaintsOf(TaintKind.Checkpoint, 2));
        Assert.Equal("consent 1 of " + subject + " was revoked: withdrawn by the subject", taint.Cause);
    }

    [Fact]
    public void UnlinkTakesTheSubjectOffTheImageTaintsWhatWasBuiltAndThePolicyThenWantsASubjectAgain()
    {
        using var cli = WorkspaceWithImages(2);
        var subject = SubjectWithConsent(cli);
        cli.Ok("rate", "1", "explicit");
        using (var workspace = Workspace.Open(cli.Directory))
        {
            var snapshot = workspace.Catalog.AddSnapshot("faces", new string('1', 64), new string('2', 64), null, [1, 2]);
            workspace.Catalog.AddRun("faces-run", snapshot, "dcgan", "{}", "test");
        }
        Assert.Equal(0, cli.Run("policy", "check", "1").Code);

        var unlinked = cli.Ok("subject", "unlink", "1", "--subject", subject, "--reason", "wrong person", "--json").Json;
        Assert.Equal(1, unlinked.GetProperty("unlinked").GetInt32());
        Assert.Equal(1, unlinked.GetProperty("tainted").GetProperty("snapshots").GetInt32());
        Assert.Equal(1, unlinked.GetProperty("tainted").GetProperty("runs").GetInt32());

        var check = cli.Run("policy", "check", "1");
        Assert.Equal(1, check.Code);
        Assert.Contains("subject-required", check.Out);
        Assert.Contains("TAINTED", cli.Ok("lineage", "snapshot:faces").Out);
        AssertOneLine(cli.Run("subject", "unlink", "1", "--subject", subject, "--reason", "again"), "not linked to " + subject);
        Assert.Equal(0, cli.Run("audit", "verify").Code);
    }

    [Fact]
    public void KeysRotateReportsTheNewKeyAndTheAuditLogStillVerifies()
    {
        using var cli = WorkspaceWithImages(1);
        var subject = SubjectWithConsent(cli);
        var rotated = cli.Ok("keys", "rotate", "--json").Json;
        var (oldKey, newKey) = (rotated.GetProperty("oldKeyId").GetString()!, rotated.GetProperty("newKeyId").GetString()!);
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal((1, 1), (rotated.GetProperty("subjects").GetInt32(), rotated.GetProperty("documents").GetInt32()));
        Assert.Contains(Name, cli.Ok("subject", "show", subject, "--reveal").Out);

        using var workspace = Workspace.Open(cli.Directory);
        var session = GovernanceSession.Open(workspace, k => cli.Environment.GetValueOrDefault(k));
        Assert.Equal(newKey, session.Keys.Active.Id);
        var audit = session.Audit.Verify();
        Assert.True(audit.Intact, audit.Problem);
        Assert.Contains(workspace.Catalog.AllAuditEntries(), e => e.KeyId == oldKey);
        Assert.Equal(newKey, workspace.Catalog.LastAuditEntry()!.KeyId);
        Assert.All(workspace.Catalog.ListSubjects(), s => Assert.Equal(newKey, Governance.Keys.Sealer.KeyIdOf(s.Sealed)));

        var token = AddUser(cli, "rita", Role.Reviewer);
        AssertOneLine(cli.Run("--as", "rita", "--token", token, "keys", "rotate"), "may not rotate the workspace keys");
    }
}
