using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Atelier.Studio.Tests;

/// <summary>
/// The studio in a real browser: Debian's chromium driven by Playwright, with the keyboard alone. Screenshots go to
/// artifacts/studio/ at the repository root (kept by CI as test artifacts).
/// </summary>
public sealed class BrowserTests : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";
    private static readonly string Artifacts = Path.Combine(Repo.Root, "artifacts", "studio");

    private StudioFixture _studio = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"the browser tests drive Debian's chromium at {Chromium}: apt-get install chromium (.ci/run does)");
        _studio = await StudioFixture.StartAsync(images: 12);
        _playwright = await Playwright.CreateAsync();
        // Root in a container has no user namespaces for chromium's sandbox; the pages are our own, on loopback.
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        // Waits are for events (an element appears, a request answers), bounded generously so a loaded machine is not a failure.
        SetDefaultExpectTimeout(60_000);
        Directory.CreateDirectory(Artifacts);
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_studio is not null) await _studio.DisposeAsync();
    }

    private async Task<IPage> SignedInPage(Role role)
    {
        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1100, Height = 800 } });
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(_studio.Address.ToString());
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        // The sign-in form has the focus; Tab to the password, Enter to send.
        await page.Keyboard.TypeAsync(StudioFixture.UserOf(role));
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync(StudioFixture.Password);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Images");
        return page;
    }

    [Fact]
    public async Task AnAnnotatorFiltersSelectsAndTagsWithTheKeyboardAlone()
    {
        var picked = _studio.ImageIds.Take(3).ToList();
        Annotations.AddTags(GovernanceSession.For(_studio.Temp.Workspace), Selector.Parse(string.Join(',', picked)), [Tags.Parse("picked")]);
        var page = await SignedInPage(Role.Annotator);

        await page.Locator(".filter input[name=where]").FocusAsync();
        await page.Keyboard.TypeAsync("tag:picked");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".grid li")).ToHaveCountAsync(3);
        await Expect(page.Locator(".count")).ToHaveTextAsync("3 images");

        // An arrow enters the grid at its first image; arrows move, Space selects.
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Space");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Space");
        await Expect(page.Locator(".bulk .selected")).ToHaveTextAsync("2 selected");
        await page.Keyboard.PressAsync("t");
        await page.Keyboard.TypeAsync("keyboard_tag, style:flat");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("4 tags added, 0 removed on 2 images");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "grid-bulk-tagged.png"), FullPage = true });

        foreach (var (id, index) in picked.Select((id, i) => (id, i)))
        {
            var names = _studio.Temp.Catalog.TagsOf(id).Select(t => t.Name).ToList();
            Assert.Equal(index < 2, names.Contains("keyboard_tag"));
            Assert.Equal(index < 2, names.Contains("flat"));
        }

        // Esc back to the grid, Z undoes exactly that change.
        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("z");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Undone: 0 tags added, 4 removed on 2 images");
        Assert.All(picked, id => Assert.DoesNotContain(_studio.Temp.Catalog.TagsOf(id), t => t.Name is "keyboard_tag" or "flat"));
        Assert.All(picked, id => Assert.Contains(_studio.Temp.Catalog.TagsOf(id), t => t.Name == "picked"));

        // 2 rates the selection sensitive; Z puts back what each image had.
        await page.Keyboard.PressAsync("2");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Rated sensitive: 2 images changed");
        await Expect(page.Locator(".grid li[aria-selected=true] .rating")).ToHaveTextAsync(["sensitive", "sensitive"]);
        Assert.Equal(["sensitive", "sensitive", null], picked.Select(id => _studio.Temp.Catalog.GetImage(id)!.Rating));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "grid-rated.png"), FullPage = true });
        await page.Keyboard.PressAsync("z");
        await Expect(page.Locator(".notice")).ToHaveTextAsync("Undone: 2 images changed");
        Assert.All(picked, id => Assert.Null(_studio.Temp.Catalog.GetImage(id)!.Rating));
    }

    [Fact]
    public async Task TheGridKeepsOnlyTheRowsInViewAndEndReachesTheLastImage()
    {
        // 3,000 more catalog records (no pixels: their thumbnails answer 404), so that the grid has far more than a page.
        using (var tx = _studio.Temp.Catalog.BeginTransaction())
        {
            for (int i = 0; i < 3000; i++) _studio.Temp.AddImage(i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) + new string('0', 56));
            tx.Commit();
        }
        var last = _studio.Temp.Catalog.SelectIds(Selector.All)[^1];
        var page = await SignedInPage(Role.Viewer);
        await Expect(page.Locator(".count")).ToHaveTextAsync("3,012 images");
        var inPage = await page.Locator(".grid li").CountAsync();
        Assert.InRange(inPage, 1, 400);
        await page.Keyboard.PressAsync("End");
        await Expect(page.Locator($".grid li[data-id='{last}'] a")).ToBeFocusedAsync();
        Assert.InRange(await page.Locator(".grid li").CountAsync(), 1, 400);
        await page.Keyboard.PressAsync("Home");
        await Expect(page.Locator($".grid li[data-id='{_studio.ImageIds[0]}'] a")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        var below = await page.EvaluateAsync<int>("() => Number(document.activeElement.closest('li').dataset.index)");
        Assert.True(below > 1, $"ArrowDown moved to position {below}, not a row down");
    }

    [Fact]
    public async Task AReviewerResolvesANearDuplicateClusterWithTheKeyboard()
    {
        var (a, b) = (_studio.ImageIds[4], _studio.ImageIds[5]);
        _studio.Temp.Catalog.AddNearDuplicates([(a, b, 8)]);
        var page = await SignedInPage(Role.Reviewer);
        await page.Keyboard.PressAsync("Tab");
        await page.Locator("nav a[href='/review']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".cluster")).ToHaveCountAsync(1);
        // The first copy is chosen; an arrow chooses the second, Tab reaches the button.
        await page.Locator(".cluster input[name=keep]").First.FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.Locator($".cluster input[value='{b}']")).ToBeCheckedAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "review-duplicates.png"), FullPage = true });
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".cluster")).ToHaveCountAsync(0);
        await Expect(page.Locator(".queues")).ToContainTextAsync("Near-duplicate clusters to resolve: 0");
        Assert.True(_studio.Temp.Catalog.GetImage(a)!.Excluded);
        Assert.False(_studio.Temp.Catalog.GetImage(b)!.Excluded);
    }

    [Fact]
    public async Task AStaleRatingIsRefusedInThePageWithTheOtherPersonsValue()
    {
        var id = _studio.ImageIds[0];
        var page = await SignedInPage(Role.Annotator);
        // Enter on the focused image opens it.
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToHaveTextAsync($"Image #{id}");

        // Meanwhile a reviewer rates the same image elsewhere.
        using (var reviewer = await _studio.SignedIn(Role.Reviewer))
        {
            var answer = await StudioFixture.PostJson(reviewer, $"/api/images/{id}/rating", new { rating = "sensitive", version = 0 }, await StudioFixture.PageToken(reviewer));
            Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        }

        await page.Locator("select[name=rating]").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator(".notice")).ToContainTextAsync("changed by someone else since it was shown: it is now sensitive");
        await Expect(page.Locator("select[name=rating]")).ToHaveValueAsync("sensitive");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "image-stale-rating.png"), FullPage = true });
        Assert.Equal("sensitive", _studio.Temp.Catalog.GetImage(id)!.Rating);

        // Decided again on the current version, the change goes through.
        await page.Locator("select[name=rating]").SelectOptionAsync("general");
        await page.Locator("form.rating button").PressAsync("Enter");
        await Expect(page.Locator("select[name=rating]")).ToHaveValueAsync("general");
        Assert.Equal("general", _studio.Temp.Catalog.GetImage(id)!.Rating);
    }

    [Fact]
    public async Task AReviewerStartsARunWatchesItStopsItAndVerifiesASample()
    {
        await _studio.PrepareTrainingAsync();
        var page = await SignedInPage(Role.Reviewer);
        await page.GotoAsync(new Uri(_studio.Address, "/runs").ToString());
        var form = page.Locator("form.job-form");
        await form.Locator("select[name=resolution]").SelectOptionAsync("32");
        await form.Locator("select[name=device]").SelectOptionAsync("cpu");
        async Task Type(string field, string text)
        {
            await form.Locator($"[name={field}]").FocusAsync();
            await page.Keyboard.TypeAsync(text);
        }
        await page.Locator("details.start-run details summary").FocusAsync();
        await page.Keyboard.PressAsync("Enter");   // opens "More"
        await Type("kimg", "50");
        await Type("batch", "16");
        await Type("tickKimg", "0.016");
        await Type("snapshotKimg", "50");
        await Type("name", "watched");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "runs-start.png"), FullPage = true });
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToContainTextAsync(": train");

        // The run page follows the run as it trains: each metrics row moves the progress line on.
        await page.Locator("a[href='/runs/watched']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var progress = page.Locator(".progress");
        await Expect(progress).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"kimg 0\.\d\d"));
        var seen = await progress.TextContentAsync();
        await Expect(progress).Not.ToHaveTextAsync(seen!);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "run-live.png"), FullPage = true });

        // Stopped from the page: a checkpoint is written and the page says so.
        await page.Locator("form.job-stop button").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#run-status")).ToContainTextAsync("stopped");
        var run = _studio.Temp.Catalog.GetRun("watched")!;
        Assert.NotEmpty(_studio.Temp.Catalog.ListCheckpoints(run.Id));

        // Sampled, then verified: the job's page lists each sample as this workspace's, with its mark and a valid manifest.
        await page.ReloadAsync();
        var sample = page.Locator("form.sample");
        await sample.Locator("[name=n]").FocusAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.TypeAsync("2");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#job-state")).ToContainTextAsync("succeeded");
        await page.GotoAsync(new Uri(_studio.Address, "/runs/watched").ToString());
        await Expect(page.Locator("img.sample")).ToHaveCountAsync(2);
        await page.Locator("form.verify button").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#job-state")).ToContainTextAsync("succeeded");
        var marks = _studio.Temp.Catalog.ListSamples(run.Id).Select(s => s.MarkPayload!).ToList();
        foreach (var mark in marks) await Expect(page.Locator(".report")).ToContainTextAsync($"identified by mark {mark}; C2PA valid; lineage clean");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "job-verify.png"), FullPage = true });
        await page.GotoAsync(new Uri(_studio.Address, "/runs/watched").ToString());
        await Expect(page.Locator("td.verification").First).ToContainTextAsync("C2PA valid");
        await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, "run-samples.png"), FullPage = true });
    }
}
