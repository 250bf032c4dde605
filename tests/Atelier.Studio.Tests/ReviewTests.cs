using System.Net;
using Atelier.Governance.Access;

namespace Atelier.Studio.Tests;

public sealed class ReviewTests : IAsyncLifetime
{
    private StudioFixture _studio = null!;
    private long _a, _b, _c;

    public async ValueTask InitializeAsync()
    {
        _studio = await StudioFixture.StartAsync(images: 6);
        (_a, _b, _c) = (_studio.ImageIds[0], _studio.ImageIds[1], _studio.ImageIds[2]);
        // What `curate` records for three copies of one picture: a cluster a-b-c.
        _studio.Temp.Catalog.AddNearDuplicates([(_a, _b, 10), (_b, _c, 14)]);
    }

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<HttpResponseMessage> Resolve(HttpClient client, string token, long keep, params long[] exclude) =>
        StudioFixture.PostJson(client, "/api/review/duplicates", new { keep, exclude }, token);

    [Fact]
    public async Task AReviewerKeepsOneCopyAndTheOthersAreExcludedWithTheReason()
    {
        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        var page = await reviewer.GetStringAsync("/review", Cancel);
        Assert.Contains("Near-duplicate clusters to resolve: 1", page);
        Assert.Contains($"value=\"{_a},{_b},{_c}\"", page);

        var answer = await Resolve(reviewer, await StudioFixture.PageToken(reviewer, "/review"), _b, _a, _b, _c);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(2, (await StudioFixture.Json(answer)).GetProperty("excluded").GetInt32());
        var catalog = _studio.Temp.Catalog;
        Assert.False(catalog.GetImage(_b)!.Excluded);
        Assert.All(new[] { _a, _c }, id => Assert.Equal((true, $"near duplicate of image {_b}"), (catalog.GetImage(id)!.Excluded, catalog.GetImage(id)!.ExcludeReason)));
        var entry = catalog.LastAuditEntry()!;
        Assert.Equal(("reviewer-user", "exclude"), (entry.Actor, entry.Action));
        Assert.Contains("Near-duplicate clusters to resolve: 0", await reviewer.GetStringAsync("/review", Cancel));
        Assert.DoesNotContain($"href=\"/images/{_a}\"", await reviewer.GetStringAsync("/", Cancel));
    }

    [Fact]
    public async Task TwoReviewersResolvingTheSameClusterAtOnceNeverExcludeEveryCopy()
    {
        using var first = await _studio.SignedIn(Role.Reviewer);
        using var second = await _studio.SignedIn(Role.Admin);
        var (t1, t2) = (await StudioFixture.PageToken(first, "/review"), await StudioFixture.PageToken(second, "/review"));
        var answers = await Task.WhenAll(Resolve(first, t1, _a, _b, _c), Resolve(second, t2, _c, _a, _b));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        var refused = answers.Single(a => a.StatusCode == HttpStatusCode.Conflict);
        Assert.Contains("someone resolved this cluster another way", (await StudioFixture.Json(refused)).GetProperty("error").GetString());
        Assert.Single(new[] { _a, _b, _c }, id => !_studio.Temp.Catalog.GetImage(id)!.Excluded);
    }

    [Fact]
    public async Task OnlyCopiesInTheClusterCanBeExcludedThisWay()
    {
        using var reviewer = await _studio.SignedIn(Role.Reviewer);
        var outsider = _studio.ImageIds[4];
        var answer = await Resolve(reviewer, await StudioFixture.PageToken(reviewer, "/review"), _a, _b, outsider);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("are not one near-duplicate cluster", (await StudioFixture.Json(answer)).GetProperty("error").GetString());
        Assert.All(new[] { _a, _b, outsider }, id => Assert.False(_studio.Temp.Catalog.GetImage(id)!.Excluded));
    }
}
