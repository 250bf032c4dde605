using System.Globalization;
using System.Text;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Cost;
using ScottPlot;

namespace Atelier.Reports;

/// <summary>
/// The HTML of a run report: quality against kimg, kWh and money for every <c>score/*</c> key, the loss curves
/// (all runs overlaid, one colour per run), then one column per run with its cost, checkpoints, sample grids
/// over time and configuration. Plain HTML and CSS, images inlined: no script, nothing fetched.
/// </summary>
public sealed class ReportPage
{
    /// <summary>At most this many sample grids per run, spread evenly from the first to the last.</summary>
    public const int GridsShown = 8;

    public const string EstimatedLabel = "(estimated from run totals)";

    private readonly IReadOnlyList<ReportedRun> _runs;
    private readonly StringBuilder _html = new();
    private readonly List<string> _plots = [];

    private ReportPage(IReadOnlyList<ReportedRun> runs) => _runs = runs;

    /// <summary>The page and the titles of the plots drawn on it.</summary>
    public static (string Html, IReadOnlyList<string> Plots) Build(IReadOnlyList<ReportedRun> runs, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("a report needs at least one run", nameof(runs));
        var page = new ReportPage(runs);
        page.Write(generatedAt);
        return (page._html.ToString(), page._plots);
    }

    private static string Num(double v, string format = "0.###") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Swatch(int i) => $"<span class=\"swatch\" style=\"background:{ReportPlot.RunColor(i).ToHex()[..7]}\"></span>";

    private void Line(string text) => _html.Append(text).Append('\n');

    private void Write(DateTimeOffset generatedAt)
    {
        var names = string.Join(", ", _runs.Select(r => r.Run.Name));
        Line("<!DOCTYPE html>");
        Line("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        Line($"<title>Atelier run report: {Html.Text(names)}</title>");
        Line("<style>");
        Line("body{font-family:'DejaVu Sans',system-ui,sans-serif;margin:24px;color:#222;max-width:1600px}");
        Line("h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:28px}h3{font-size:1.05em;margin:16px 0 6px}");
        Line(".meta{color:#666;font-size:.9em}.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:6px;vertical-align:-1px}");
        Line(".plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:12px}.plots figure{margin:0}.plots img{width:100%;border:1px solid #ddd}");
        Line("figcaption,.note{font-size:.85em;color:#555}.missing{background:#fff6e0;border:1px solid #e8c770;padding:8px 10px;font-size:.9em}");
        Line(".runs{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:20px}.run{border:1px solid #ccc;border-radius:4px;padding:10px 14px;overflow-x:auto}");
        Line("table{border-collapse:collapse;font-size:.8em;margin:4px 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top;white-space:nowrap}th{background:#f3f3f3}");
        Line("td.n{text-align:right;font-variant-numeric:tabular-nums}td.v{font-family:'DejaVu Sans Mono',monospace;word-break:break-all;white-space:normal}");
        Line(".grids{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:8px}.grids figure{margin:0;text-align:center}.grids img{width:100%;image-rendering:pixelated;border:1px solid #ddd}");
        Line("</style></head><body>");
        Line($"<h1>Run report: {Html.Text(names)}</h1>");
        Line($"<p class=\"meta\">Written {generatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)} by <code>atelier report run</code>. " +
             "Scores are distances: lower is better.</p>");
        Line("<ul class=\"legend\">");
        for (int i = 0; i < _runs.Count; i++)
        {
            var r = _runs[i].Run;
            Line($"<li>{Swatch(i)}<b>{Html.Text(r.Name)}</b>: {Html.Text(r.Model)}, {Html.Text(r.Status)}, {Num(r.ImagesSeen / 1000.0, "0.00")} kimg" +
                 $"{(_runs[i].Dataset.Length > 0 ? $", dataset {Html.Text(_runs[i].Dataset)}" : "")}" +
                 $"{(_runs[i].Metrics.Count == 0 ? " — <em>no metrics yet</em>" : "")}</li>");
        }
        Line("</ul>");

        WriteScores();
        WriteLosses();

        Line("<h2>Runs</h2>");
        Line("<div class=\"runs\">");
        for (int i = 0; i < _runs.Count; i++) WriteRun(i);
        Line("</div>");
        Line("<p class=\"note\">Scores of <code>atelier eval</code> are printed, not stored with the run, so they are not plotted here; " +
             "its invocations' energy is listed under each run's cost.</p>");
        Line("</body></html>");
    }

    private void WriteScores()
    {
        Line("<h2>Quality against compute</h2>");
        var keys = _runs.SelectMany(r => r.Metrics).SelectMany(m => m.Values.Keys).Where(k => k.StartsWith("score/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            Line($"<p class=\"missing\">No scores logged yet: no metrics row of {Html.Text(string.Join(", ", _runs.Select(r => r.Run.Name)))} has a score/* value " +
                 "(scores are written at each snapshot).</p>");
            return;
        }
        foreach (var key in keys)
        {
            Line($"<h3>{Html.Text(key)}</h3>");
            Line("<div class=\"plots\">");
            Figure(ReportPlot.Render($"{key} against kimg", "kimg", key, _runs.Select((r, i) =>
                new PlotSeries(r.Run.Name, ReportPlot.RunColor(i), r.Metrics.Select(m => m.Kimg).ToList(), Values(r, key), LinePattern.Solid))),
                $"{key} against kimg", Missing(key));
            SpendFigure(key, SpendAxis.Kwh);
            SpendFigure(key, SpendAxis.Money);
            Line("</div>");
        }
    }

    private static List<double> Values(ReportedRun r, string key) =>
        r.Metrics.Select(m => m.Values.TryGetValue(key, out var v) ? v : double.NaN).ToList();

    /// <summary>Names the runs a plot of <paramref name="key"/> leaves out, and why.</summary>
    private string Missing(string key)
    {
        var none = _runs.Where(r => r.Metrics.Count == 0).Select(r => r.Run.Name).ToList();
        var unscored = _runs.Where(r => r.Metrics.Count > 0 && !r.Metrics.Any(m => m.Values.TryGetValue(key, out var v) && double.IsFinite(v))).Select(r => r.Run.Name).ToList();
        var parts = new List<string>();
        if (none.Count > 0) parts.Add($"no metrics yet: {string.Join(", ", none)}");
        if (unscored.Count > 0) parts.Add($"no {key} logged: {string.Join(", ", unscored)}");
        return string.Join("; ", parts);
    }

    private void SpendFigure(string key, SpendAxis axis)
    {
        var unit = axis == SpendAxis.Kwh ? "kWh" : "money";
        var currency = _runs[0].Currency;
        var series = new List<PlotSeries>();
        var notes = new List<string>();
        bool estimated = false;
        for (int i = 0; i < _runs.Count; i++)
        {
            var r = _runs[i];
            if (r.Metrics.Count == 0) { notes.Add($"{r.Run.Name}: no metrics yet"); continue; }
            if (axis == SpendAxis.Money && r.Currency != currency) { notes.Add($"{r.Run.Name}: priced in {r.Currency}, not {currency}"); continue; }
            if (SpendSeries.Of(r, axis) is not { } spend) { notes.Add($"{r.Run.Name}: no energy recorded"); continue; }
            estimated |= spend.Estimated;
            series.Add(new PlotSeries(spend.Estimated ? $"{r.Run.Name} (estimated)" : r.Run.Name, ReportPlot.RunColor(i), spend.Values, Values(r, key), LinePattern.Solid));
        }
        var axisLabel = (axis == SpendAxis.Kwh ? "kWh" : $"money ({currency})") + (estimated ? " " + EstimatedLabel : "");
        var title = $"{key} against {unit}{(estimated ? " " + EstimatedLabel : "")}";
        if (series.Count == 0)
        {
            Line($"<p class=\"missing\">{Html.Text(key)} against {unit}: no energy recorded for {Html.Text(string.Join(", ", _runs.Select(r => r.Run.Name)))} " +
                 "(trained before Atelier recorded energy, or its records could not be written), so there is no plot.</p>");
            return;
        }
        if (estimated) notes.Insert(0, $"estimated: training energy recorded for the run, shared out by images seen ({SpendSeries.KeyOf(axis)} not logged)");
        // The drawn title stays short (it has to fit); the x axis says "estimated" on the image, the alt text names it too.
        Figure(ReportPlot.Render($"{key} against {unit}", axisLabel, key, series), title, string.Join("; ", notes));
    }

    private void Figure(byte[]? png, string title, string note)
    {
        if (png is null)
        {
            Line($"<p class=\"missing\">{Html.Text(title)}: nothing to plot{(note.Length > 0 ? $" ({Html.Text(note)})" : "")}.</p>");
            return;
        }
        _plots.Add(title);
        Line($"<figure>{Html.Image(png, title)}{(note.Length > 0 ? $"<figcaption>{Html.Text(note)}</figcaption>" : "")}</figure>");
    }

    private void WriteLosses()
    {
        Line("<h2>Losses</h2>");
        var keys = _runs.SelectMany(r => r.Metrics).SelectMany(m => m.Values.Keys)
            .Where(k => k.StartsWith("loss/", StringComparison.Ordinal) || k.StartsWith("penalty/", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            Line("<p class=\"missing\">No losses logged yet.</p>");
            return;
        }
        var series = _runs.SelectMany((r, i) => keys.Select((k, j) =>
            new PlotSeries($"{r.Run.Name} {k}", ReportPlot.RunColor(i), r.Metrics.Select(m => m.Kimg).ToList(), Values(r, k), ReportPlot.KeyPattern(j))));
        var patterns = string.Join(", ", keys.Select((k, j) => $"{k} {ReportPlot.KeyPatternName(j)}"));
        Line("<div class=\"plots\">");
        Figure(ReportPlot.Render("losses against kimg", "kimg", "loss", series, ReportPlot.Width * 3 / 2, ReportPlot.Height, scale: 1.25, legendBeside: true), "losses against kimg",
            $"one colour per run; lines: {patterns}");
        Line("</div>");
    }

    private void WriteRun(int i)
    {
        var run = _runs[i];
        var r = run.Run;
        Line("<section class=\"run\">");
        Line($"<h3>{Swatch(i)}{Html.Text(r.Name)}</h3>");
        Line($"<p class=\"meta\">{Html.Text(r.Model)}, {Html.Text(r.Status)}{(r.Message is null ? "" : $" ({Html.Text(r.Message)})")}, {Num(r.ImagesSeen / 1000.0, "0.00")} kimg; " +
             $"snapshot root {Html.Text(r.SnapshotRoot[..Math.Min(16, r.SnapshotRoot.Length)])}; {Html.Text(r.Software)}; started {r.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC</p>");
        if (run.Metrics.Count == 0)
            Line("<p class=\"missing\">No metrics yet: the run's metrics.jsonl has no rows (it has not reached its first tick).</p>");
        WriteCost(run);
        WriteCheckpoints(run);
        WriteGrids(run);
        WriteConfig(run);
        Line("</section>");
    }

    private void WriteCost(ReportedRun run)
    {
        Line("<h3>Cost</h3>");
        if (run.Energy.Count == 0)
        {
            Line("<p class=\"missing\">No energy recorded (trained before Atelier recorded energy, or its records could not be written).</p>");
            return;
        }
        var total = RunEnergy.Training(run.Energy);
        Line($"<p>Training: {Html.Text(total.Sessions == 0 ? "no training session recorded" : RunEnergy.Describe(total))}</p>");
        Line("<table><tr><th>stage</th><th>started UTC</th><th>wall s</th><th>kWh</th><th>money</th><th>g CO2e</th><th>method</th></tr>");
        // How each estimate was made is said once below the table, not in every row.
        var notes = new List<string>();
        foreach (var e in run.Energy)
        {
            var method = "measured";
            if (e.CpuMethod == EnergyMethods.Estimate)
            {
                var note = e.CpuNote ?? "no note recorded";
                if (!notes.Contains(note)) notes.Add(note);
                method = $"estimate [{notes.IndexOf(note) + 1}]";
            }
            Line($"<tr><td>{Html.Text(e.Stage)}</td><td>{e.StartedAt.UtcDateTime.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture)}</td>" +
                 $"<td class=\"n\">{Num(e.WallSeconds, "0.0")}</td><td class=\"n\">{Num(e.Kwh, "0.000000")}</td><td class=\"n\">{Html.Text(e.Currency)} {Num(e.Money, "0.0000")}</td>" +
                 $"<td class=\"n\">{Num(e.Co2Grams, "0.000")}</td><td>{method}" +
                 $"{(e.GpuJoules is { } g ? $", GPU {e.Gpus}× {Num(g / CostFigures.JoulesPerKwh, "0.000000")} kWh" : "")}</td></tr>");
        }
        Line("</table>");
        for (int n = 0; n < notes.Count; n++) Line($"<p class=\"note\">[{n + 1}] estimate: {Html.Text(notes[n])}</p>");
    }

    private void WriteCheckpoints(ReportedRun run)
    {
        Line("<h3>Checkpoints</h3>");
        if (run.Checkpoints.Count == 0)
        {
            Line("<p class=\"missing\">No checkpoints yet.</p>");
            return;
        }
        // The best checkpoint is the one with the lowest score, as `--checkpoint best` chooses.
        var best = run.Checkpoints.Where(c => c.Score is { } s && double.IsFinite(s)).MinBy(c => c.Score!.Value);
        Line("<table><tr><th>id</th><th>kimg</th><th>score</th><th></th></tr>");
        foreach (var c in run.Checkpoints)
            Line($"<tr><td class=\"n\">{c.Id}</td><td class=\"n\">{Num(c.ImagesSeen / 1000.0, "0.00")}</td><td class=\"n\">{(c.Score is { } s ? Num(s, "0.000") : "-")}</td>" +
                 $"<td>{(c == best ? "best" : "")}{(c.Deleted ? " pruned" : "")}</td></tr>");
        Line("</table>");
    }

    private void WriteGrids(ReportedRun run)
    {
        Line("<h3>Sample grids over time</h3>");
        if (run.Grids.Count == 0)
        {
            Line("<p class=\"missing\">No sample grids yet (one is written at each snapshot).</p>");
            return;
        }
        var chosen = Spread(run.Grids, GridsShown);
        if (chosen.Count < run.Grids.Count) Line($"<p class=\"note\">{chosen.Count} of {run.Grids.Count} grids, evenly spread.</p>");
        Line("<div class=\"grids\">");
        var unreadable = 0;
        foreach (var g in chosen)
        {
            byte[] png;
            try
            {
                png = File.ReadAllBytes(g.Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Pruned or unreadable since it was listed: said below, the others still shown.
                unreadable++;
                continue;
            }
            // A damaged grid (cut short: a full disk, or a build before grids were written whole) is left out, not shown broken.
            if (!IsWholePng(png))
            {
                unreadable++;
                continue;
            }
            var caption = $"{Num(g.Kimg, "0.0")} kimg";
            Line($"<figure>{Html.Image(png, $"{run.Run.Name} sample grid at {caption}")}<figcaption>{caption}</figcaption></figure>");
        }
        Line("</div>");
        if (unreadable > 0) Line($"<p class=\"note\">{unreadable} grid file{(unreadable == 1 ? "" : "s")} could not be read whole (pruned or being written) and {(unreadable == 1 ? "is" : "are")} left out.</p>");
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A PNG's signature at the start and its IEND chunk (length 0, "IEND", its fixed CRC) at the very end.</summary>
    private static bool IsWholePng(byte[] png) =>
        png.AsSpan().StartsWith(PngSignature) && png.AsSpan().EndsWith((ReadOnlySpan<byte>)[0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82]);

    /// <summary>At most <paramref name="count"/> items, the first and the last always among them.</summary>
    public static IReadOnlyList<T> Spread<T>(IReadOnlyList<T> items, int count)
    {
        if (items.Count <= count) return items;
        return Enumerable.Range(0, count).Select(i => (int)Math.Round(i * (items.Count - 1) / (double)(count - 1))).Distinct().Select(i => items[i]).ToList();
    }

    private void WriteConfig(ReportedRun run)
    {
        Line("<h3>Configuration</h3>");
        JsonDocument config;
        try
        {
            config = JsonDocument.Parse(run.Run.Config);
        }
        catch (JsonException)
        {
            Line($"<p class=\"missing\">The stored configuration is not JSON:</p><pre>{Html.Text(run.Run.Config)}</pre>");
            return;
        }
        using (config)
        {
            if (config.RootElement.ValueKind != JsonValueKind.Object)
            {
                Line($"<pre>{Html.Text(config.RootElement.GetRawText())}</pre>");
                return;
            }
            Line("<table>");
            foreach (var p in config.RootElement.EnumerateObject())
                Line($"<tr><th>{Html.Text(p.Name)}</th><td class=\"v\">{Html.Text(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}</td></tr>");
            Line("</table>");
        }
    }
}
