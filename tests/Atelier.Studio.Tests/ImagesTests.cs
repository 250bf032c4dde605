using System.Net;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;

namespace Atelier.Studio.Tests;

public sealed class ImagesTests : IAsyncLifetime
{
    private StudioFixture _studio = null!;

    public async ValueTask InitializeAsync() => _studio = await StudioFixture.StartAsync(images: 12);

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    private Catalog.Catalog Catalog => _studio.Temp.Catalog;
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheGridShowsWhatTheSelectorSelectsAndSaysWhyABadOneCannotBeRead()
    {
        var owner = GovernanceSession.For(_studio.Temp.Workspace);
        var tagged = _studio.ImageIds.Take(3).ToList();
        Annotations.AddTags(owner, Selector.Parse(string.Join(',', tagged)), [Tags.Parse("picked")]);
        using var viewer = await _studio.SignedIn(Role.Viewer);

        var html = await viewer.GetStringAsync("/?where=tag:picked", Cancel);
        Assert.Contains("3 images", html);
        foreach (var id in _studio.ImageIds)
            Assert.Equal(tagged.Contains(id), html.Contains($"href=\"/images/{id}\"", StringComparison.Ordinal));

        var bad = await viewer.GetStringAsync("/?where=" + Uri.EscapeDataString("width>>3"), Cancel);
        Assert.Contains("cannot read selector term", bad);
    }

    [Fact]
    public async Task TheScrollingGridFetchesTheSelectionByPositionWithoutExcludedImages()
    {
        Annotations.Exclude(GovernanceSession.For(_studio.Temp.Workspace), Selector.Parse(_studio.ImageIds[1].ToString(System.Globalization.CultureInfo.InvariantCulture)), "test");
        using var viewer = await _studio.SignedIn(Role.Viewer);
        var page = await StudioFixture.Json(await viewer.GetAsync("/api/images?where=all&offset=2&limit=3", Cancel));
        var ids = page.GetProperty("images").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(_studio.ImageIds.Where(id => id != _studio.ImageIds[1]).Skip(2).Take(3), ids);
        Assert.All(page.GetProperty("images").EnumerateArray(), i => Assert.Equal("unrated", i.GetProperty("rating").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("/api/images?limit=100000", Cancel)).StatusCode);
        var bad = await viewer.GetAsync("/api/images?where=" + Uri.EscapeDataString("width>>1"), Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("cannot read selector term", (await StudioFixture.Json(bad)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task SavedViewsAreEachUsersOwn()
    {
        using var viewer = await _studio.SignedIn(Role.Viewer);
        using var other = await _studio.SignedIn(Role.Annotator);
        var token = await StudioFixture.PageToken(viewer);
        var saved = await StudioFixture.PostJson(viewer, "/api/views", new { name = "to rate", where = "rating:unrated" }, token);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains($"href=\"/?where={Uri.EscapeDataString("rating:unrated")}\" title=\"rating:unrated\">to rate</a>", await viewer.GetStringAsync("/", Cancel));
        Assert.DoesNotContain(">to rate</a>", await other.GetStringAsync("/", Cancel));
        var bad = await StudioFixture.PostJson(viewer, "/api/views", new { name = "bad", where = "width>>1" }, token);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("cannot read selector term", (await StudioFixture.Json(bad)).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await StudioFixture.PostJson(other, "/api/views/delete", new { name = "to rate" }, await StudioFixture.PageToken(other))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await StudioFixture.PostJson(viewer, "/api/views/delete", new { name = "to rate" }, token)).StatusCode);
        Assert.Empty(Catalog.ListViews("viewer-user"));
    }

    [Fact]
    public async Task ExcludedAndQuarantinedImagesAreNeverServedEvenByGuessingTheUrl()
    {
        var (excluded, quarantined, kept) = (_studio.ImageIds[0], _studio.ImageIds[1], _studio.ImageIds[2]);
        Annotations.Exclude(GovernanceSession.For(_studio.Temp.Workspace), Selector.Parse(excluded.ToString(System.Globalization.CultureInfo.InvariantCulture)), "test");
        Catalog.MarkQuarantined(quarantined);
        using var admin = await _studio.SignedIn(Role.Admin);
        foreach (var id in new[] { excluded, quarantined })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/media/thumbs/{id}", Cancel)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/images/{id}", Cancel)).StatusCode);
        }
        var thumb = await admin.GetAsync($"/media/thumbs/{kept}", Cancel);
        Assert.Equal(HttpStatusCode.OK, thumb.StatusCode);
        Assert.Equal("image/png", thumb.Content.Headers.ContentType!.MediaType);
        Assert.Equal(0x89, (await thumb.Content.ReadAsByteArrayAsync(Cancel))[0]);
        var grid = await admin.GetStringAsync("/", Cancel);
        Assert.DoesNotContain($"/images/{excluded}\"", grid);
        Assert.DoesNotContain($"/images/{quarantined}\"", grid);
        Assert.Contains("(1 excluded, not shown)", grid);
    }

    [Fact]
    public async Task ARatingMadeOnAStaleViewIsRefusedWithTheCurrentValueAndNothingIsLost()
    {
        var id = _studio.ImageIds[0];
        using var first = await _studio.SignedIn(Role.Annotator);
        using var second = await _studio.SignedIn(Role.Reviewer);
        var shown = Catalog.GetImage(id)!.RatingVersion;

        var ok = await StudioFixture.PostJson(first, $"/api/images/{id}/rating", new { rating = "sensitive", version = shown }, await StudioFixture.PageToken(first));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(shown + 1, (await StudioFixture.Json(ok)).GetProperty("version").GetInt64());

        var stale = await StudioFixture.PostJson(second, $"/api/images/{id}/rating", new { rating = "general", version = shown }, await StudioFixture.PageToken(second));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var refusal = await StudioFixture.Json(stale);
        Assert.Equal("sensitive", refusal.GetProperty("rating").GetString());
        Assert.Equal(shown + 1, refusal.GetProperty("version").GetInt64());
        Assert.Contains("changed by someone else", refusal.GetProperty("error").GetString());
        Assert.Equal("sensitive", Catalog.GetImage(id)!.Rating);

        // Shown the current version, the second person's change goes through; a CLI rating raises the version too.
        var retry = await StudioFixture.PostJson(second, $"/api/images/{id}/rating", new { rating = "general", version = shown + 1 }, await StudioFixture.PageToken(second));
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Annotations.Rate(GovernanceSession.For(_studio.Temp.Workspace), Selector.Parse(id.ToString(System.Globalization.CultureInfo.InvariantCulture)), "explicit");
        Assert.Equal(shown + 3, Catalog.GetImage(id)!.RatingVersion);
        var rates = Catalog.AllAuditEntries().Where(a => a.Action == "rate").Select(a => a.Actor).ToList();
        Assert.Equal(["annotator-user", "reviewer-user", "owner"], rates.TakeLast(3));
    }

    [Fact]
    public async Task TagChangesFromManyAnnotatorsAtOnceMerge()
    {
        var clients = new List<(HttpClient Client, string Token)>();
        for (int i = 0; i < 4; i++)
        {
            var c = await _studio.SignedIn(i % 2 == 0 ? Role.Annotator : Role.Admin);
            clients.Add((c, await StudioFixture.PageToken(c)));
        }
        var ids = _studio.ImageIds.ToArray();
        // Each annotator adds their own tags to every image, 10 times over, all at once, and removes a shared one.
        var work = clients.Select((c, i) => Task.Run(async () =>
        {
            for (int round = 0; round < 10; round++)
            {
                var answer = await StudioFixture.PostJson(c.Client, "/api/images/tags",
                    new { ids, add = new[] { $"by_{i}_{round}" }, remove = new[] { "shared" } }, c.Token);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }
        }, Cancel)).ToList();
        await Task.WhenAll(work);
        foreach (var id in ids)
        {
            var names = Catalog.TagsOf(id).Select(t => t.Name).ToHashSet();
            for (int i = 0; i < clients.Count; i++)
                for (int round = 0; round < 10; round++)
                    Assert.Contains($"by_{i}_{round}", names);
        }
        foreach (var (c, _) in clients) c.Dispose();
    }

    [Fact]
    public async Task UndoingATagChangeTakesBackExactlyWhatItDidAndNothingSomeoneElseDid()
    {
        var (a, b) = (_studio.ImageIds[0], _studio.ImageIds[1]);
        using var first = await _studio.SignedIn(Role.Annotator);
        using var second = await _studio.SignedIn(Role.Admin);
        var (t1, t2) = (await StudioFixture.PageToken(first), await StudioFixture.PageToken(second));
        // Someone else already tagged image a "smile" and image b "old".
        Assert.Equal(HttpStatusCode.OK, (await StudioFixture.PostJson(second, "/api/images/tags", new { ids = new[] { a }, add = new[] { "smile" } }, t2)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await StudioFixture.PostJson(second, "/api/images/tags", new { ids = new[] { b }, add = new[] { "style:old" } }, t2)).StatusCode);

        var change = await StudioFixture.Json(await StudioFixture.PostJson(first, "/api/images/tags",
            new { ids = new[] { a, b }, add = new[] { "smile" }, remove = new[] { "old" } }, t1));
        Assert.Equal(1, change.GetProperty("added").GetInt32());
        var added = Assert.Single(change.GetProperty("addedLinks").EnumerateArray());
        Assert.Equal((b, "general:smile"), (added.GetProperty("image").GetInt64(), added.GetProperty("tag").GetString()));
        var removed = Assert.Single(change.GetProperty("removedLinks").EnumerateArray());
        Assert.Equal((b, "style:old"), (removed.GetProperty("image").GetInt64(), removed.GetProperty("tag").GetString()));

        // The undo the page sends: the inverse of that answer.
        var undo = await StudioFixture.PostJson(first, "/api/images/tag-links",
            new { add = change.GetProperty("removedLinks"), remove = change.GetProperty("addedLinks") }, t1);
        Assert.Equal(HttpStatusCode.OK, undo.StatusCode);
        Assert.Contains(Catalog.TagsOf(a), t => t.Name == "smile");
        Assert.DoesNotContain(Catalog.TagsOf(b), t => t.Name == "smile");
        Assert.Contains(Catalog.TagsOf(b), t => t is { Name: "old", Category: "style" });
    }

    [Fact]
    public async Task ABulkRatingAppliesWhereTheViewIsCurrentAndRefusesOneByOneWhereNot()
    {
        var (a, b) = (_studio.ImageIds[2], _studio.ImageIds[3]);
        using var first = await _studio.SignedIn(Role.Annotator);
        using var second = await _studio.SignedIn(Role.Reviewer);
        Assert.Equal(HttpStatusCode.OK, (await StudioFixture.PostJson(second, $"/api/images/{b}/rating", new { rating = "questionable", version = 0 },
            await StudioFixture.PageToken(second))).StatusCode);

        var answer = await StudioFixture.PostJson(first, "/api/images/ratings",
            new { changes = new[] { new { id = a, rating = "sensitive", version = 0L }, new { id = b, rating = "sensitive", version = 0L } } },
            await StudioFixture.PageToken(first));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var results = (await StudioFixture.Json(answer)).GetProperty("results").EnumerateArray().ToList();
        Assert.True(results[0].GetProperty("applied").GetBoolean());
        Assert.Equal("unrated", results[0].GetProperty("previous").GetString());
        Assert.False(results[1].GetProperty("applied").GetBoolean());
        Assert.Equal(("questionable", 1L), (results[1].GetProperty("rating").GetString(), results[1].GetProperty("version").GetInt64()));
        Assert.Contains("changed by someone else", results[1].GetProperty("error").GetString());
        Assert.Equal(("sensitive", "questionable"), (Catalog.GetImage(a)!.Rating, Catalog.GetImage(b)!.Rating));
    }

    [Fact]
    public async Task MalformedOrEmptyWritesGetOneLineAndChangeNothing()
    {
        using var annotator = await _studio.SignedIn(Role.Annotator);
        var token = await StudioFixture.PageToken(annotator);
        var before = Catalog.AllAuditEntries().Count;
        foreach (var path in new[] { "/api/images/tags", "/api/images/ratings", "/api/images/tag-links", $"/api/images/{_studio.ImageIds[0]}/rating" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("X-CSRF-TOKEN", token);
            var answer = await annotator.SendAsync(request, Cancel);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            var error = (await StudioFixture.Json(answer)).GetProperty("error").GetString()!;
            Assert.DoesNotContain("\n", error);
            Assert.DoesNotContain("   at ", error);
        }
        var empty = await StudioFixture.PostJson(annotator, "/api/images/tags", new { ids = new[] { _studio.ImageIds[0] } }, token);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("type the tags to add or remove", (await StudioFixture.Json(empty)).GetProperty("error").GetString());
        var none = await StudioFixture.PostJson(annotator, "/api/images/tags", new { ids = Array.Empty<long>(), add = new[] { "x" } }, token);
        Assert.StartsWith("select images first", (await StudioFixture.Json(none)).GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, Catalog.AllAuditEntries().Count);
        Assert.All(_studio.ImageIds, id => Assert.DoesNotContain(Catalog.TagsOf(id), t => t.Name == "x"));
    }

    [Fact]
    public async Task AWriteWithoutThePagesAntiforgeryTokenIsRefused()
    {
        using var annotator = await _studio.SignedIn(Role.Annotator);
        var id = _studio.ImageIds[0];
        var missing = await StudioFixture.PostJson(annotator, "/api/images/tags", new { ids = new[] { id }, add = new[] { "forged" } }, token: null);
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("anti-forgery", (await StudioFixture.Json(missing)).GetProperty("error").GetString());
        using var other = await _studio.SignedIn(Role.Admin);
        var someoneElses = await StudioFixture.PostJson(annotator, "/api/images/tags", new { ids = new[] { id }, add = new[] { "forged" } }, await StudioFixture.PageToken(other));
        Assert.Equal(HttpStatusCode.BadRequest, someoneElses.StatusCode);
        Assert.DoesNotContain(Catalog.TagsOf(id), t => t.Name == "forged");
    }

    [Fact]
    public async Task APlainFormPostChangesTheImageAndRedirectsBackWithANotice()
    {
        using var annotator = await _studio.SignedIn(Role.Annotator);
        var id = _studio.ImageIds[1];
        var page = $"/images/{id}";
        var token = await StudioFixture.FormToken(annotator, page);
        var answer = await annotator.PostAsync("/api/images/tags", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["ids"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["add"] = "smile, style:flat", ["returnTo"] = page,
        }), Cancel);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.StartsWith(page + "?notice=", answer.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Contains(Catalog.TagsOf(id), t => t is { Name: "flat", Category: "style" });
        Assert.Contains("2 tags added", await annotator.GetStringAsync(answer.Headers.Location, Cancel));

        // A returnTo elsewhere is not followed.
        var away = await annotator.PostAsync("/api/images/tags", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["ids"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["add"] = "x", ["returnTo"] = "//evil.example/",
        }), Cancel);
        Assert.StartsWith("/?notice=", away.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
