using System.Diagnostics;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Ingest.Pipeline;
using Atelier.Studio.Accounts;
using Atelier.TestSupport;
using Microsoft.Playwright;

/// <summary>
/// The grid at N images in Debian's chromium (issue 13): time to the first thumbnails, time for End to reach and show the
/// last image, and frame times while the page is scrolled from top to bottom in one jump per animation frame. The
/// workspace holds the 383 sample emoji (real thumbnails) and N - 383 more catalog records reusing their thumbnails.
/// </summary>
internal static class GridBench
{
    private const string Password = "grid bench password";

    public static async Task<int> RunAsync(int count, int repeats, string cli, string dir, bool keep)
    {
        string owner;
        using (var workspace = Workspace.Init(dir))
        {
            await new Ingestion(workspace).RunAsync(new IngestRequest { Sources = [Repo.EmojiSample] });
            var session = GovernanceSession.For(workspace);
            owner = session.Actor.Name;
            UserAdministration.SetPassword(session, owner, Passwords.Hash(owner, Password));
            var catalog = workspace.Catalog;
            var real = catalog.ListImages(Selector.All);
            using var tx = catalog.BeginTransaction();
            for (int i = real.Count; i < count; i++)
            {
                var like = real[i % real.Count];
                catalog.AddImage(like with { Id = 0, Sha256 = i.ToString("x16", CultureInfo.InvariantCulture) + new string('f', 48) },
                    new Provenance($"bench:{i}", $"{i}.png", "bench", "MIT", null, null), []);
            }
            tx.Commit();
            Console.WriteLine($"workspace {dir}: {catalog.ImageCount:N0} images; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        }
        var (server, address) = await StudioProcess.StartAsync(cli, dir);
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
            var first = new List<double>();
            var end = new List<double>();
            var frames = new List<double[]>();
            for (int r = 0; r < repeats; r++)
            {
                var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
                var page = await context.NewPageAsync();
                page.SetDefaultTimeout(120_000);
                await page.GotoAsync(new Uri(address, "/signin").ToString());
                await page.FillAsync("input[name=name]", owner);
                await page.FillAsync("input[name=password]", Password);
                await page.PressAsync("input[name=password]", "Enter");
                await page.WaitForSelectorAsync("h1:has-text('Images')");

                var clock = Stopwatch.StartNew();
                await page.GotoAsync(address.ToString());
                await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.grid img')].some(i => i.complete && i.naturalWidth > 0)");
                first.Add(clock.Elapsed.TotalMilliseconds);

                clock.Restart();
                await page.Keyboard.PressAsync("End");
                await page.WaitForFunctionAsync(
                    "() => { const a = document.activeElement; const li = a && a.closest('.grid li'); " +
                    "return li && Number(li.dataset.index) === Number(document.querySelector('.grid').dataset.total) - 1 " +
                    "&& li.querySelector('img').complete && li.querySelector('img').naturalWidth > 0; }");
                end.Add(clock.Elapsed.TotalMilliseconds);

                // Top to bottom in 300 jumps, one per animation frame; the gaps between frames are what a person sees.
                var gaps = await page.EvaluateAsync<double[]>(@"async () => {
                    window.scrollTo(0, 0);
                    await new Promise(r => requestAnimationFrame(r));
                    const max = document.documentElement.scrollHeight - innerHeight, steps = 300, gaps = [];
                    let last = performance.now();
                    for (let i = 1; i <= steps; i++) {
                        window.scrollTo(0, max * i / steps);
                        await new Promise(r => requestAnimationFrame(r));
                        const now = performance.now(); gaps.push(now - last); last = now;
                    }
                    return gaps; }");
                frames.Add(gaps);
                var cellsInPage = await page.Locator(".grid li").CountAsync();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {r + 1}: first thumbnails {first[^1]:F0} ms, End to the last image shown {end[^1]:F0} ms, scroll frames p50 {Pct(gaps, 50):F1} p99 {Pct(gaps, 99):F1} max {gaps.Max():F1} ms, {gaps.Count(g => g > 50)} of {gaps.Length} over 50 ms, {cellsInPage} cells in the page"));
                await context.CloseAsync();
            }
            var all = frames.SelectMany(f => f).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median of {repeats}: first thumbnails {Pct([.. first], 50):F0} ms, End {Pct([.. end], 50):F0} ms; all frames p50 {Pct(all, 50):F1} p99 {Pct(all, 99):F1} ms"));
        }
        finally
        {
            StudioProcess.Stop(server);
            if (!keep) Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    private static double Pct(double[] values, double p)
    {
        var s = values.Order().ToArray();
        return s[Math.Clamp((int)Math.Ceiling(p / 100 * s.Length) - 1, 0, s.Length - 1)];
    }
}
