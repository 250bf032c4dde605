using Atelier.Catalog;
using Atelier.Imaging;
using Atelier.Training.Reporting;

namespace Atelier.Reports.Tests;

public class RunReportTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    /// <summary>Pixels of exactly the run's colour: the markers of its line are drawn solid in it.</summary>
    private static int PixelsOf(RgbaImage image, ScottPlot.Color color)
    {
        int n = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                if (image.GetPixel(x, y) is var (r, g, b, _) && r == color.R && g == color.G && b == color.B) n++;
        return n;
    }

    [Fact]
    public void TwoRunsSideBySideNameEachRunAndOverlayThemOnEveryPlot()
    {
        using var w = new ReportWorkspace();
        var a = w.AddRun("alpha");
        var b = w.AddRun("beta");
        w.WriteMetrics(a, 400, scoreScale: 1, costKeys: true);
        w.WriteMetrics(b, 600, scoreScale: 2, costKeys: false);
        w.AddEnergy(b, "train", kwh: 0.002, money: 0.0006);
        w.AddEnergy(b, "sample", kwh: 0.0001, money: 0.00003);
        var gridsA = w.WriteGrids(a, 200, 400);
        w.WriteGrids(b, 200, 400, 600);
        w.AddCheckpoint(a, 200, 5.0);
        w.AddCheckpoint(a, 400, 2.5);

        var result = RunReport.Write(w.Workspace, ["alpha", "beta"], w.OutDirectory, At);
        Assert.Equal(Path.Combine(w.OutDirectory, RunReport.IndexFileName), result.Index);
        Assert.Equal(["alpha", "beta"], result.Runs);
        var html = ReportWorkspace.Page(result);
        Assert.Contains("<title>Atelier run report: alpha, beta</title>", html);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "<section class=\"run\">").Count);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);

        var images = ReportWorkspace.Images(html);
        var plots = images.Where(i => !i.Alt.Contains("sample grid", StringComparison.Ordinal)).ToList();
        // Score against kimg, kWh and money, and the losses.
        Assert.Equal(["score/pixel_fd against kimg", "score/pixel_fd against kWh (estimated from run totals)",
            "score/pixel_fd against money (estimated from run totals)", "losses against kimg"], plots.Select(p => p.Alt));
        Assert.Equal(plots.Select(p => p.Alt), result.Plots);
        foreach (var (alt, image) in plots)
        {
            Assert.Equal(alt == "losses against kimg" ? (1200, 480) : (ReportPlot.Width, ReportPlot.Height), (image.Width, image.Height));
            // One colour per run, both runs on every plot.
            Assert.True(PixelsOf(image, ReportPlot.RunColor(0)) > 20, $"{alt}: alpha's colour is not drawn");
            Assert.True(PixelsOf(image, ReportPlot.RunColor(1)) > 20, $"{alt}: beta's colour is not drawn");
        }
        // Only beta's spend is estimated: alpha logged cost/kwh and cost/money itself.
        Assert.Contains("<figcaption>estimated: training energy recorded for the run, shared out by images seen (cost/kwh not logged)</figcaption>", html);

        var grids = images.Where(i => i.Alt.Contains("sample grid", StringComparison.Ordinal)).ToList();
        Assert.Equal(["alpha sample grid at 0.2 kimg", "alpha sample grid at 0.4 kimg", "beta sample grid at 0.2 kimg", "beta sample grid at 0.4 kimg",
            "beta sample grid at 0.6 kimg"], grids.Select(g => g.Alt));
        Assert.All(grids, g => Assert.Equal((64, 64), (g.Image.Width, g.Image.Height)));
        Assert.Equal(ImageDecoder.Decode(gridsA[1]).Pixels, grids[1].Image.Pixels);

        // Cost table of beta (both invocations), none for alpha; alpha's checkpoints with the best one marked.
        Assert.Contains("Training: 1 training session, 12.5 s, 0.002 kWh, EUR 0.0006", html);
        Assert.Contains("<td>sample</td>", html);
        // Both of beta's rows are estimates made the same way: said once, under the table.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, @"<td>estimate \[1\]</td>").Count);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "estimate: TDP 65 W × utilisation"));
        Assert.Contains("<td class=\"n\">0.40</td><td class=\"n\">2.500</td><td>best</td>", html);
        Assert.Contains("<th>resolution</th><td class=\"v\">32</td>", html);
    }

    [Fact]
    public void SpendIsTakenAsLoggedOrSharedOutFromTheRunTotalsByImagesSeen()
    {
        using var w = new ReportWorkspace();
        var logged = w.AddRun("logged");
        var older = w.AddRun("older");
        var none = w.AddRun("none");
        w.WriteMetrics(logged, 400, 1, costKeys: true);
        w.WriteMetrics(older, 400, 1, costKeys: false);
        w.WriteMetrics(none, 400, 1, costKeys: false);
        w.AddEnergy(older, "train", kwh: 0.004, money: 0.002);
        w.AddEnergy(older, "train", kwh: 0.004, money: 0.002);
        w.AddEnergy(older, "eval", kwh: 1, money: 1);

        var recorded = SpendSeries.Of(ReportedRun.Load(w.Workspace, "logged"), SpendAxis.Kwh)!;
        Assert.False(recorded.Estimated);
        Assert.Equal([1e-4, 2e-4, 3e-4, 4e-4], recorded.Values.Select(v => Math.Round(v, 12)));
        // Two training sessions: 0.008 kWh over 400 images; eval's energy is not the run's training.
        var estimated = SpendSeries.Of(ReportedRun.Load(w.Workspace, "older"), SpendAxis.Money)!;
        Assert.True(estimated.Estimated);
        Assert.Equal([0.001, 0.002, 0.003, 0.004], estimated.Values.Select(v => Math.Round(v, 12)));
        Assert.Null(SpendSeries.Of(ReportedRun.Load(w.Workspace, "none"), SpendAxis.Kwh));
    }

    [Fact]
    public void WithoutEnergyTheComputePlotsAreReplacedByTheReason()
    {
        using var w = new ReportWorkspace();
        w.WriteMetrics(w.AddRun("plain"), 400, 1, costKeys: false);
        var result = RunReport.Write(w.Workspace, ["plain"], w.OutDirectory, At);
        var html = ReportWorkspace.Page(result);
        Assert.Equal(["score/pixel_fd against kimg", "losses against kimg"], result.Plots);
        Assert.Contains("score/pixel_fd against kWh: no energy recorded for plain", html);
        Assert.Contains("score/pixel_fd against money: no energy recorded for plain", html);
        Assert.Contains("No energy recorded (trained before Atelier recorded energy", html);
        Assert.Contains("No sample grids yet", html);
        Assert.Contains("No checkpoints yet.", html);
    }

    [Fact]
    public void ARunWithoutMetricsYetIsNamedAndSaysSo()
    {
        using var w = new ReportWorkspace();
        w.WriteMetrics(w.AddRun("done"), 400, 1, costKeys: true);
        w.AddRun("fresh");
        var result = RunReport.Write(w.Workspace, ["done", "fresh"], w.OutDirectory, At);
        var html = ReportWorkspace.Page(result);
        Assert.Contains("<b>fresh</b>: dcgan, running, 0.00 kimg, dataset faces — <em>no metrics yet</em>", html);
        Assert.Contains("No metrics yet: the run's metrics.jsonl has no rows", html);
        Assert.Contains("no metrics yet: fresh", html);

        var alone = ReportWorkspace.Page(RunReport.Write(w.Workspace, ["fresh"], Path.Combine(w.Directory, "fresh-only"), At));
        Assert.Contains("No scores logged yet", alone);
        Assert.Contains("No losses logged yet.", alone);
        Assert.Empty(ReportWorkspace.Images(alone));
    }

    [Fact]
    public void RunNamesAndConfigurationValuesAreEscaped()
    {
        const string hostile = "<script>alert('x')</script>\"&";
        using var w = new ReportWorkspace();
        var run = w.AddRun("ok", "{\"dataset\":" + System.Text.Json.JsonSerializer.Serialize(hostile) + ",\"note\":{\"<b>\":\"<i>\"}}");
        w.WriteMetrics(run, 400, 1, costKeys: false);
        var html = ReportWorkspace.Page(RunReport.Write(w.Workspace, ["ok"], w.OutDirectory, At));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("dataset &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;&amp;", html);
        Assert.Contains("{&quot;&lt;b&gt;&quot;:&quot;&lt;i&gt;&quot;}", html);

        // A name no run folder can have still reaches the page only escaped (a record read from the catalog, real metrics).
        var named = w.Workspace.Catalog.AddRun(hostile, w.Workspace.Catalog.GetSnapshot("faces")!, "dcgan", "{}", "atelier 0.1.0");
        var reported = new ReportedRun(named, "", MetricsLog.Read(Path.Combine(w.RunRoot("ok"), MetricsLog.FileName)), [], [], [], "EUR");
        var page = ReportWorkspace.Page(RunReport.Write([reported], Path.Combine(w.Directory, "hostile"), At));
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<b>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;&amp;</b>", page);
    }

    [Fact]
    public void AnUnknownRunIsRefusedBeforeAnythingIsWritten()
    {
        using var w = new ReportWorkspace();
        w.WriteMetrics(w.AddRun("known"), 400, 1, costKeys: false);
        var e = Assert.Throws<AtelierException>(() => RunReport.Write(w.Workspace, ["known", "nope"], w.OutDirectory, At));
        Assert.Equal(("unknown-run", "no run named 'nope' (see `atelier runs list`)"), (e.Code, e.Message));
        Assert.False(Directory.Exists(w.OutDirectory));
    }

    [Fact]
    public void AnOutFolderThatCannotBeWrittenIsOneReason()
    {
        using var w = new ReportWorkspace();
        w.WriteMetrics(w.AddRun("known"), 400, 1, costKeys: false);
        var file = Path.Combine(w.Directory, "a-file");
        File.WriteAllText(file, "not a folder");
        var e = Assert.Throws<AtelierException>(() => RunReport.Write(w.Workspace, ["known"], Path.Combine(file, "report"), At));
        Assert.Equal("report-unwritable", e.Code);
        Assert.StartsWith($"cannot write the report to {Path.Combine(file, "report")}: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal("not a folder", File.ReadAllText(file));
    }

    [Fact]
    public void AReportCutOffBeforeItsRenameLeavesThePreviousPageWhole()
    {
        using var w = new ReportWorkspace();
        var run = w.AddRun("growing");
        w.WriteMetrics(run, 200, 1, costKeys: false);
        var before = ReportWorkspace.Page(RunReport.Write(w.Workspace, ["growing"], w.OutDirectory, At));
        using (var log = new MetricsLog(w.RunRoot("growing"), tensorBoard: false))
            log.Write(400, new Dictionary<string, double> { ["score/pixel_fd"] = 0.5 });

        // The new page is whole in its temporary file when the process dies: index.html is still the old page.
        AtomicFile.TempWritten.Value = temp =>
        {
            Assert.EndsWith("</html>\n", File.ReadAllText(temp));
            throw new IOException("killed");
        };
        try
        {
            Assert.Equal("report-unwritable", Assert.Throws<AtelierException>(() => RunReport.Write(w.Workspace, ["growing"], w.OutDirectory, At)).Code);
        }
        finally
        {
            AtomicFile.TempWritten.Value = null;
        }
        Assert.Equal(before, File.ReadAllText(Path.Combine(w.OutDirectory, RunReport.IndexFileName)));
        Assert.Equal([RunReport.IndexFileName], Directory.GetFiles(w.OutDirectory).Select(Path.GetFileName));
        Assert.NotEqual(before, ReportWorkspace.Page(RunReport.Write(w.Workspace, ["growing"], w.OutDirectory, At)));
    }

    [Fact]
    public void AGridCaughtMidWriteIsLeftOutAndSaidSo()
    {
        using var w = new ReportWorkspace();
        var run = w.AddRun("live");
        w.WriteMetrics(run, 400, 1, costKeys: false);
        var pngs = w.WriteGrids(run, 200, 400);
        // The trainer writes grids in place: the newest one is only half there.
        File.WriteAllBytes(Path.Combine(w.RunRoot("live"), "grids", Atelier.Training.Runs.RunFolder.GridFileName(400)), pngs[1][..(pngs[1].Length / 2)]);
        var html = ReportWorkspace.Page(RunReport.Write(w.Workspace, ["live"], w.OutDirectory, At));
        Assert.Equal(["live sample grid at 0.2 kimg"], ReportWorkspace.Images(html).Select(i => i.Alt).Where(a => a.Contains("grid", StringComparison.Ordinal)));
        Assert.Contains("1 grid file could not be read whole (pruned or being written) and is left out.", html);
    }

    [Fact]
    public void ManyGridsAreSpreadFromTheFirstToTheLast()
    {
        Assert.Equal([0, 3, 6, 9, 11, 14, 17, 20], ReportPage.Spread(Enumerable.Range(0, 21).ToList(), 8));
        Assert.Equal([0, 1, 2], ReportPage.Spread([0, 1, 2], 8));
    }
}
