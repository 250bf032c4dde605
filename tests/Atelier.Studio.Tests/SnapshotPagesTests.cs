using System.Net;
using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Governance;
using Atelier.Governance.Access;

namespace Atelier.Studio.Tests;

public sealed class SnapshotPagesTests : IAsyncLifetime
{
    private StudioFixture _studio = null!;

    public async ValueTask InitializeAsync() => _studio = await StudioFixture.StartAsync(images: 4);

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASnapshotShowsItsRecordAndThePolicyNowAndADraftIsCheckedBeforeFreezing()
    {
        var owner = GovernanceSession.For(_studio.Temp.Workspace);
        var three = Selector.Parse(string.Join(',', _studio.ImageIds.Take(3)));
        Annotations.Rate(owner, three, "general");
        Snapshots.Create(_studio.Temp.Workspace, "v1", string.Join(',', _studio.ImageIds.Take(3)));
        using var viewer = await _studio.SignedIn(Role.Viewer);

        var list = await viewer.GetStringAsync("/snapshots", Cancel);
        Assert.Contains("<a href=\"/snapshots/v1\">v1</a>", list);
        var page = WebUtility.HtmlDecode(await viewer.GetStringAsync("/snapshots/v1", Cancel));
        Assert.Contains("(manifest verified)", page);
        Assert.Contains("general 3", page);
        Assert.Contains("at check: 3 of 3 images pass, 0 violate", page);

        // The fourth image is unrated: a draft over all four says which image and how to fix it.
        var draft = WebUtility.HtmlDecode(await viewer.GetStringAsync("/snapshots?draft=all", Cancel));
        Assert.Contains("3 of 4 images pass, 1 violate", draft);
        Assert.Contains($"image {_studio.ImageIds[3]} (", draft);
        Assert.Contains("rating-required", draft);
        var bad = WebUtility.HtmlDecode(await viewer.GetStringAsync("/snapshots?draft=" + Uri.EscapeDataString("width>>1"), Cancel));
        Assert.Contains("cannot read selector term", bad);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/snapshots/nope", Cancel)).StatusCode);
    }
}
