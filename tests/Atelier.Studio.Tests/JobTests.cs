using System.Net;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Governance;
using Atelier.Governance.Access;

namespace Atelier.Studio.Tests;

/// <summary>
/// Long work from the studio over real HTTP, run by the real CLI as a worker process: a reviewer starts a tiny run, follows
/// it, samples it, a viewer verifies the samples; a run is stopped with a checkpoint and resumed; who may ask for what.
/// </summary>
public sealed class JobTests : IAsyncLifetime
{
    private StudioFixture _studio = null!;

    public async ValueTask InitializeAsync()
    {
        _studio = await StudioFixture.StartAsync(images: 12);
        await _studio.PrepareTrainingAsync();
    }

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    internal static readonly Dictionary<string, string> TinyRun = new()
    {
        ["kind"] = "train", ["dataset"] = "set", ["resolution"] = "32", ["kimg"] = "0.032", ["batch"] = "16", ["snapshotKimg"] = "0.032", ["tickKimg"] = "0.016", ["device"] = "cpu",
    };

    private static async Task<JsonElement> Ask(HttpClient client, Dictionary<string, string> fields, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var answer = await StudioFixture.PostJson(client, "/api/jobs", fields, await StudioFixture.PageToken(client));
        var json = await StudioFixture.Json(answer);
        Assert.True(answer.StatusCode == expected, $"{answer.StatusCode}: {json}");
        return json;
    }

    /// <summary>Follows the job's events to their end and returns the last state.</summary>
    private static async Task<JsonElement> Follow(HttpClient client, long id)
    {
        using var events = await EventStream.OpenAsync(client, $"/api/jobs/{id}/events", Cancel);
        var end = (await events.Until("end"))[^1];
        return JsonDocument.Parse(end.Data).RootElement.Clone();
    }

    [Fact]
    public async Task AReviewerTrainsAndSamplesFromTheStudioAndAViewerVerifiesTheSamples()
    {
        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        var job = await Ask(reviewer, new(TinyRun) { ["name"] = "tiny" });
        Assert.Equal(("tiny", "queued"), (job.GetProperty("run").GetString(), job.GetProperty("state").GetString()));
        var end = await Follow(reviewer, job.GetProperty("id").GetInt64());
        Assert.Equal("succeeded", end.GetProperty("state").GetString());
        var run = _studio.Temp.Catalog.GetRun("tiny")!;
        Assert.Equal((RunStatus.Finished, 32L), (run.Status, run.ImagesSeen));
        Assert.Contains("reviewer-user", _studio.Temp.Catalog.AllAuditEntries().Single(a => a.Action == "training-start").Actor);

        var sample = await Ask(reviewer, new() { ["kind"] = "sample", ["run"] = "tiny", ["n"] = "2", ["seed"] = "5" });
        Assert.Equal("succeeded", (await Follow(reviewer, sample.GetProperty("id").GetInt64())).GetProperty("state").GetString());
        var samples = _studio.Temp.Catalog.ListSamples(run.Id);
        Assert.Equal(2, samples.Count);
        var image = await reviewer.GetAsync($"/media/samples/{samples[0].Id}", Cancel);
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.Equal(File.ReadAllBytes(samples[0].Path), await image.Content.ReadAsByteArrayAsync(Cancel));

        using var viewer = await _studio.SignedIn(Role.Viewer);
        var refused = await Ask(viewer, new(TinyRun), HttpStatusCode.Forbidden);
        Assert.Equal("viewer-user (viewer) may not train a model: that needs the reviewer role", refused.GetProperty("error").GetString());
        Assert.Contains("not verified yet", await viewer.GetStringAsync("/runs/tiny", Cancel));
        var verify = await Ask(viewer, new() { ["kind"] = "verify", ["run"] = "tiny" });
        Assert.Equal("succeeded", (await Follow(viewer, verify.GetProperty("id").GetInt64())).GetProperty("state").GetString());
        var page = await viewer.GetStringAsync("/runs/tiny", Cancel);
        foreach (var s in samples) Assert.Contains($"identified by mark {s.MarkPayload}; C2PA valid; lineage clean", page);
        Assert.Contains($"<a href=\"/jobs/{verify.GetProperty("id").GetInt64()}\">", await viewer.GetStringAsync("/jobs", Cancel));
    }

    [Fact]
    public async Task ARunStoppedFromTheStudioLeavesACheckpointAndResumes()
    {
        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        var job = await Ask(reviewer, new(TinyRun) { ["name"] = "long", ["kimg"] = "50" });
        var id = job.GetProperty("id").GetInt64();
        var metrics = Path.Combine(_studio.Temp.Workspace.RunDirectory("long"), Workspace.RunFiles.Metrics);
        while (!File.Exists(metrics) || File.ReadAllLines(metrics).Length == 0) await Task.Delay(100, Cancel);
        Assert.Contains("Stop (with a checkpoint)", await reviewer.GetStringAsync("/runs/long", Cancel));

        // Another reviewer may not stop it; the one who asked may.
        using var annotator = await _studio.SignedIn(Role.Annotator);
        var notTheirs = await StudioFixture.PostJson(annotator, $"/api/jobs/{id}/stop", new { }, await StudioFixture.PageToken(annotator));
        Assert.Equal(HttpStatusCode.Forbidden, notTheirs.StatusCode);
        var stop = await StudioFixture.PostJson(reviewer, $"/api/jobs/{id}/stop", new { }, await StudioFixture.PageToken(reviewer));
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        Assert.Equal("stopped", (await Follow(reviewer, id)).GetProperty("state").GetString());
        var run = _studio.Temp.Catalog.GetRun("long")!;
        Assert.Equal(RunStatus.Stopped, run.Status);
        Assert.NotEmpty(_studio.Temp.Catalog.ListCheckpoints(run.Id));
        Assert.Contains("Resume to (kimg)", await reviewer.GetStringAsync("/runs/long", Cancel));

        var resume = await Ask(reviewer, new() { ["kind"] = "resume", ["run"] = "long", ["kimg"] = (run.ImagesSeen / 1000.0 + 0.016).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal("succeeded", (await Follow(reviewer, resume.GetProperty("id").GetInt64())).GetProperty("state").GetString());
        Assert.Equal(RunStatus.Finished, _studio.Temp.Catalog.GetRun("long")!.Status);
    }

    [Fact]
    public async Task BadFieldsAreRefusedInOneLineAndNothingIsAsked()
    {
        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        Assert.Equal("dataset '--as' is not a name (letters, digits, '-', '_' or '.')",
            (await Ask(reviewer, new(TinyRun) { ["dataset"] = "--as" }, HttpStatusCode.BadRequest)).GetProperty("error").GetString());
        Assert.Equal("resolution '12x' is not a whole number from 32 to 256",
            (await Ask(reviewer, new(TinyRun) { ["resolution"] = "12x" }, HttpStatusCode.BadRequest)).GetProperty("error").GetString());
        Assert.Equal("kimg 'NaN' is not a number from 0.001 to 1000000",
            (await Ask(reviewer, new(TinyRun) { ["kimg"] = "NaN" }, HttpStatusCode.BadRequest)).GetProperty("error").GetString());
        Assert.Equal("unknown kind of job 'shell': use train, resume, sample, verify, export, features, eval, ingest, snapshot",
            (await Ask(reviewer, new() { ["kind"] = "shell" }, HttpStatusCode.BadRequest)).GetProperty("error").GetString());
        Assert.Equal("no run named 'nope'",
            (await Ask(reviewer, new() { ["kind"] = "verify", ["run"] = "nope" }, HttpStatusCode.NotFound)).GetProperty("error").GetString());
        Assert.Empty(_studio.Temp.Catalog.ListJobs());

        await using var bare = await StudioFixture.StartAsync(images: 1, worker: false);
        using var client = await bare.SignedIn(Role.Reviewer);
        Assert.Equal("this studio was started without a worker for long work; run `atelier studio` from the CLI",
            (await Ask(client, new() { ["kind"] = "verify", ["run"] = "x" }, HttpStatusCode.ServiceUnavailable)).GetProperty("error").GetString());
        Assert.Empty(bare.Temp.Catalog.ListJobs());
    }

    [Fact]
    public async Task MoreLikeThisAppearsOnceAReviewerHasImageFeaturesComputed()
    {
        var id = _studio.ImageIds[0];
        using var viewer = await _studio.SignedIn(Role.Viewer);
        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        Assert.DoesNotContain("Compute image features", await viewer.GetStringAsync($"/images/{id}", Cancel));
        Assert.Contains("Compute image features", await reviewer.GetStringAsync($"/images/{id}", Cancel));
        var job = await Ask(reviewer, new() { ["kind"] = "features" });
        Assert.Equal("succeeded", (await Follow(reviewer, job.GetProperty("id").GetInt64())).GetProperty("state").GetString());

        var expected = _studio.Temp.Catalog.SimilarImages(id, "ResNet18", 12)!;
        Assert.Equal(_studio.ImageIds.Count - 1, expected.Count);
        var page = await viewer.GetStringAsync($"/images/{id}", Cancel);
        var shown = System.Text.RegularExpressions.Regex.Matches(page[page.IndexOf("More like this", StringComparison.Ordinal)..], "<a href=\"/images/(\\d+)\">")
            .Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Take(expected.Count);
        Assert.Equal(expected.Select(e => e.Id), shown);
        Assert.Contains("By the cosine similarity of ResNet18 features.", page);
    }

    [Fact]
    public async Task AReviewerIngestsAFolderAndScoresARunFromTheStudio()
    {
        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        var folder = Path.Combine(_studio.Temp.Directory, "more");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Atelier.TestSupport.Repo.EmojiSample, "img"), "*.png").Order(StringComparer.Ordinal).Skip(100).Take(5))
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var before = _studio.Temp.Catalog.ImageCount;
        var ingest = await Ask(reviewer, new() { ["kind"] = "ingest", ["source"] = folder, ["sourceName"] = "more", ["license"] = "Apache-2.0" });
        Assert.Equal("succeeded", (await Follow(reviewer, ingest.GetProperty("id").GetInt64())).GetProperty("state").GetString());
        Assert.Equal(before + 5, _studio.Temp.Catalog.ImageCount);
        Assert.Equal("reviewer-user", _studio.Temp.Catalog.AllAuditEntries().Last(a => a.Action == "ingest").Actor);

        var train = await Ask(reviewer, new(TinyRun) { ["name"] = "scored" });
        Assert.Equal("succeeded", (await Follow(reviewer, train.GetProperty("id").GetInt64())).GetProperty("state").GetString());
        var eval = await Ask(reviewer, new() { ["kind"] = "eval", ["run"] = "scored", ["n"] = "12" });
        var evalId = eval.GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await Follow(reviewer, evalId)).GetProperty("state").GetString());
        var page = await reviewer.GetStringAsync($"/jobs/{evalId}", Cancel);
        Assert.Contains("<h2>Answer</h2>", page);
        Assert.Contains("&quot;features&quot;: &quot;ResNet18&quot;", page);
    }

    [Fact]
    public async Task ACheckedDraftIsFrozenAsASnapshotAndATakenNameIsRefusedInOneLine()
    {
        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        // Starts with '-': it reaches the worker as one argument, never as an option.
        var draft = $"-sha:{_studio.Temp.Catalog.GetImage(_studio.ImageIds[0])!.Sha256[..12]}";
        Assert.Contains("Freeze these images as the snapshot", await reviewer.GetStringAsync($"/snapshots?draft={Uri.EscapeDataString(draft)}", Cancel));
        var job = await Ask(reviewer, new() { ["kind"] = "snapshot", ["name"] = "most", ["where"] = draft });
        Assert.Equal("succeeded", (await Follow(reviewer, job.GetProperty("id").GetInt64())).GetProperty("state").GetString());
        var frozen = _studio.Temp.Catalog.GetSnapshot("most")!;
        Assert.Equal(_studio.ImageIds.Count - 1, frozen.ImageCount);
        Assert.Equal("reviewer-user", _studio.Temp.Catalog.AllAuditEntries().Last(a => a.Action == "snapshot").Actor);

        // A name taken: the job fails with the command's one-line reason, and the snapshot is unchanged.
        var again = await Ask(reviewer, new() { ["kind"] = "snapshot", ["name"] = "most", ["where"] = "all" });
        var end = await Follow(reviewer, again.GetProperty("id").GetInt64());
        Assert.Equal("failed", end.GetProperty("state").GetString());
        Assert.Contains("most", end.GetProperty("message").GetString());
        Assert.Equal(frozen.RootHash, _studio.Temp.Catalog.GetSnapshot("most")!.RootHash);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/snapshots?draft=all", Cancel)).StatusCode);
    }

    [Fact]
    public async Task AReviewerExportsASnapshotFromItsPageAndThePageListsTheExport()
    {
        using var viewer = await _studio.SignedIn(Role.Viewer);
        Assert.Contains("None asked for from the studio", await viewer.GetStringAsync("/snapshots/set", Cancel));
        var refused = await Ask(viewer, new() { ["kind"] = "export", ["snapshot"] = "set" }, HttpStatusCode.Forbidden);
        Assert.Equal("viewer-user (viewer) may not export a snapshot: that needs the reviewer role", refused.GetProperty("error").GetString());

        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        var job = await Ask(reviewer, new() { ["kind"] = "export", ["snapshot"] = "set", ["resolution"] = "32", ["format"] = "folder", ["fit"] = "pad" });
        var id = job.GetProperty("id").GetInt64();
        Assert.Equal("succeeded", (await Follow(reviewer, id)).GetProperty("state").GetString());
        var written = Directory.EnumerateFiles(Path.Combine(_studio.Temp.Workspace.JobDirectory(id), "export"), "*.png", SearchOption.AllDirectories).ToList();
        Assert.Equal(_studio.Temp.Catalog.GetSnapshot("set")!.ImageCount, written.Count);

        // Anyone who may see the snapshot sees its exports, with the options they were made with.
        var page = await viewer.GetStringAsync("/snapshots/set", Cancel);
        Assert.Contains($"<td><a href=\"/jobs/{id}\">{id}</a></td>", page);
        Assert.Contains("<code>--resolution 32 --format folder --fit pad</code>", page);
        Assert.Contains(">succeeded</td>", page);
        Assert.DoesNotContain("None asked for from the studio", page);
    }
}
