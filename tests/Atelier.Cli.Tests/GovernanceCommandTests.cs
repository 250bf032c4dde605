using Atelier.TestSupport;
using Microsoft.Data.Sqlite;

namespace Atelier.Cli.Tests;

public sealed class GovernanceCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly TempDir _images = new();

    public GovernanceCommandTests()
    {
        _cli.Environment["USER"] = "olga";
        var init = _cli.Ok("init", "--json").Json;
        Assert.Equal("olga", init.GetProperty("owner").GetString());
        Assert.StartsWith("atl_", init.GetProperty("ownerToken").GetString());
        for (var i = 0; i < 3; i++) _images.Write($"p{i}.png", SyntheticImages.Png(48, 48, i));
        _cli.Ok("ingest", _images.Path, "--source", "studio", "--license", "CC0-1.0");
    }

    public void Dispose()
    {
        _cli.Dispose();
        _images.Dispose();
    }

    private string AddUser(string name, string role) => _cli.Ok("user", "add", name, "--role", role, "--json").Json.GetProperty("token").GetString()!;

    [Fact]
    public void Each_role_can_do_its_work_and_no_more()
    {
        var viewer = AddUser("vic", "viewer");
        var annotator = AddUser("ana", "annotator");

        var refused = _cli.Run("rate", "1", "explicit", "--as", "vic", "--token", viewer);
        Assert.Equal(1, refused.Code);
        Assert.Equal("atelier: vic (viewer) may not rate images: that needs the annotator role", refused.Error.Trim());
        _cli.Ok("images", "list", "all", "--as", "vic", "--token", viewer);

        _cli.Environment["ATELIER_USER"] = "ana";
        _cli.Environment["ATELIER_TOKEN"] = annotator;
        _cli.Ok("rate", "1", "questionable");
        _cli.Ok("tag", "add", "1", "portrait");
        Assert.Contains("needs the reviewer role", _cli.Run("exclude", "2", "--reason", "dup").Error);
        Assert.Contains("needs the admin role", _cli.Run("user", "add", "eve", "--role", "admin").Error);
        Assert.Contains("needs the reviewer role", _cli.Run("ingest", _images.Path).Error);
        Assert.Contains("needs the reviewer role", _cli.Run("dataset", "create", "mine").Error);
        Assert.Contains("needs the reviewer role", _cli.Run("train", "--dataset", "mine", "--resolution", "32").Error);

        _cli.Environment["ATELIER_TOKEN"] = viewer;
        Assert.Contains("no enabled user 'ana' with that token", _cli.Run("report").Error);
        _cli.Environment.Remove("ATELIER_TOKEN");
        Assert.Contains("needs that user's token", _cli.Run("report").Error);
        _cli.Environment.Remove("ATELIER_USER");

        var entries = _cli.Ok("audit", "show", "--action", "rate", "--json").Json.GetProperty("entries");
        Assert.Equal("ana", Assert.Single(entries.EnumerateArray()).GetProperty("actor").GetString());
    }

    [Fact]
    public void Users_are_listed_changed_disabled_and_reissued_by_an_admin()
    {
        var token = AddUser("rey", "reviewer");
        _cli.Ok("user", "role", "rey", "annotator");
        Assert.Contains("needs the reviewer role", _cli.Run("exclude", "1", "--reason", "x", "--as", "rey", "--token", token).Error);
        var fresh = _cli.Ok("user", "token", "rey", "--json").Json.GetProperty("token").GetString()!;
        Assert.Contains("with that token", _cli.Run("report", "--as", "rey", "--token", token).Error);
        _cli.Ok("report", "--as", "rey", "--token", fresh);
        _cli.Ok("user", "disable", "rey");
        Assert.Contains("with that token", _cli.Run("report", "--as", "rey", "--token", fresh).Error);
        Assert.Contains("owns the workspace", _cli.Run("user", "disable", "olga").Error);
        var users = _cli.Ok("user", "list", "--json").Json.GetProperty("users").EnumerateArray().ToList();
        Assert.Equal(["olga", "rey"], users.Select(u => u.GetProperty("name").GetString()));
        Assert.True(users[1].GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public void Audit_verify_passes_then_names_the_first_tampered_entry()
    {
        _cli.Ok("rate", "1-2", "sensitive");
        _cli.Ok("exclude", "3", "--reason", "blurry");
        var ok = _cli.Ok("audit", "verify");
        // workspace-created, signing-identity-created, ingest, rate, exclude
        Assert.StartsWith("Audit log intact: 5 entries", ok.Out);

        using (var db = new SqliteConnection($"Data Source={Path.Combine(_cli.Directory, ".atelier", "catalog.db")};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = "DROP TRIGGER audit_no_update; UPDATE audit SET detail = replace(detail, 'sensitive', 'general') WHERE action = 'rate'";
            Assert.Equal(1, cmd.ExecuteNonQuery());
        }
        var bad = _cli.Run("audit", "verify");
        Assert.Equal(3, bad.Code);
        Assert.Equal("atelier: audit log NOT intact at entry 4: entry 4 (rate) was edited: its content does not match its hash", bad.Error.Trim());
        var json = _cli.Run("audit", "verify", "--json");
        Assert.Equal(4, json.Json.GetProperty("firstBadSeq").GetInt64());
    }

    [Fact]
    public void Audit_show_filters_by_image_and_time_and_refuses_bad_times()
    {
        _cli.Ok("rate", "2", "general");
        _cli.Ok("rate", "3", "general");
        var about2 = _cli.Ok("audit", "show", "--image", "2", "--json").Json.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal("rate", Assert.Single(about2).GetProperty("action").GetString());
        Assert.Empty(_cli.Ok("audit", "show", "--since", "2999-01-01", "--json").Json.GetProperty("entries").EnumerateArray());
        Assert.Equal(5, _cli.Ok("audit", "show", "--until", "2999-01-01", "--json").Json.GetProperty("entries").GetArrayLength());
        Assert.Contains("is not a date", _cli.Run("audit", "show", "--since", "yesterday-ish").Error);
    }

    [Fact]
    public void Tag_export_with_images_is_an_export_role_checked_policy_gated_and_audited()
    {
        var viewer = AddUser("vic", "viewer");
        var annotator = AddUser("ana", "annotator");
        _cli.Ok("rate", "1", "general");
        _cli.Ok("rate", "2", "explicit"); // no subject, no consent: the hard rule keeps it out
        // image 3 stays unrated: the strict policy keeps it out too
        var outDir = Path.Combine(_cli.Directory, "kohya");

        foreach (var (user, token) in new[] { ("vic", viewer), ("ana", annotator) })
        {
            var refused = _cli.Run("tag", "export", "all", "--out", outDir, "--images", "--as", user, "--token", token);
            Assert.Equal(1, refused.Code);
            Assert.Contains("may not export images: that needs the reviewer role", refused.Error);
            Assert.False(Directory.Exists(outDir));
        }
        // Sidecars alone say only what a viewer may read anyway.
        Assert.Contains("Wrote 3 sidecar(s)", _cli.Ok("tag", "export", "all", "--out", Path.Combine(_cli.Directory, "captions"), "--as", "vic", "--token", viewer).Out);
        Assert.Empty(Directory.GetFiles(Path.Combine(_cli.Directory, "captions"), "*.png"));

        var exported = _cli.Ok("tag", "export", "all", "--out", outDir, "--images");
        Assert.Contains("copied 1 original(s); 2 image(s) left out by the policy", exported.Out);
        Assert.Contains("image 2 (", exported.Out);
        Assert.Contains("subject-required", exported.Out);
        Assert.Contains("image 3 (", exported.Out);
        Assert.Contains("rating-required", exported.Out);
        Assert.Equal(["p0.png", "p0.txt"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order());

        var entry = Assert.Single(_cli.Ok("audit", "show", "--action", "export", "--json").Json.GetProperty("entries").EnumerateArray());
        Assert.Equal("olga", entry.GetProperty("actor").GetString());
        Assert.Contains("tag-export", entry.GetProperty("detail").GetString());
        Assert.Equal("export", Assert.Single(_cli.Ok("audit", "show", "--image", "1", "--action", "export", "--json").Json.GetProperty("entries").EnumerateArray()).GetProperty("action").GetString());
        Assert.Empty(_cli.Ok("audit", "show", "--image", "2", "--action", "export", "--json").Json.GetProperty("entries").EnumerateArray());
        var evaluation = _cli.Ok("audit", "show", "--action", "policy-evaluation", "--json").Json.GetProperty("entries").EnumerateArray().Last();
        Assert.Contains("tag-export", evaluation.GetProperty("detail").GetString());
        Assert.StartsWith("Audit log intact", _cli.Ok("audit", "verify").Out);
    }

    [Fact]
    public void Lineage_follows_an_image_into_its_snapshots()
    {
        _cli.Ok("rate", "all", "general");
        _cli.Ok("dataset", "create", "d1");
        var graph = _cli.Ok("lineage", "image:1", "--json").Json;
        Assert.Equal("image:1", graph.GetProperty("root").GetString());
        Assert.Contains(graph.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("kind").GetString() == "snapshot" && n.GetProperty("id").GetString() == "d1");
        var text = _cli.Ok("lineage", "d1").Out;
        Assert.StartsWith("built from 3 image(s): 1, 2, 3", text);
        Assert.Contains("no run 'nope'", _cli.Run("lineage", "run:nope").Error);
        Assert.Contains("not something with lineage", _cli.Run("lineage", "planet:9").Error);
    }
}
