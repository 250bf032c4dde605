using System.Globalization;
using System.Text.Json;
using Atelier.Catalog;

namespace Atelier.Studio;

/// <summary>
/// What a run has written so far, read from its metrics.jsonl (one JSON row per tick, appended by the trainer): the rows,
/// and a line to show for each. A half-written last line (the trainer mid-append) is left for the next read.
/// </summary>
public static class RunProgress
{
    public sealed record Row(double Kimg, double? LossD, double? LossG, double? Score, double? RunSeconds, double? Kwh, double? Money, string Json);

    public static string MetricsPath(Workspace workspace, string run) => Path.Combine(workspace.RunDirectory(run), Workspace.RunFiles.Metrics);

    /// <summary>Complete rows from byte <paramref name="from"/> on, and the offset after the last complete one.</summary>
    public static (IReadOnlyList<Row> Rows, long Next) Read(string path, long from)
    {
        var (lines, next) = AppendedLines.Read(path, from);
        return ([.. lines.Select(Parse).OfType<Row>()], next);
    }

    private static Row? Parse(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var r = doc.RootElement;
            double? Get(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            return new Row(Get("kimg") ?? 0, Get("loss/D"), Get("loss/G"), Get("score/fd_resnet18") ?? Get("score/pixel_fd"), Get("time/run_seconds"), Get("cost/kwh"), Get("cost/money"), line.Trim());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Describe(Row row) => string.Create(CultureInfo.InvariantCulture,
        $"kimg {row.Kimg:F2}{(row.LossD is { } d ? $"  D {d:F3}" : "")}{(row.LossG is { } g ? $"  G {g:F3}" : "")}{(row.Score is { } s ? $"  score {s:F2}" : "")}" +
        $"{(row.Kwh is { } k ? $"  {k:F5} kWh" : "")}{(row.RunSeconds is { } t ? $"  {t:F0} s" : "")}");

    /// <summary>The loss curves as an SVG polyline pair (D and G against kimg), drawn on the server: no chart library, no script.</summary>
    public static string LossSvg(IReadOnlyList<Row> rows, int width = 640, int height = 200) =>
        Chart(rows, [("d", "D", r => r.LossD), ("g", "G", r => r.LossG)], "loss", "Loss of D (blue) and G (orange)", width, height);

    /// <summary>The score (FD on the feature network, lower is better) at each evaluation, drawn as <see cref="LossSvg"/>; empty without evaluations.</summary>
    public static string ScoreSvg(IReadOnlyList<Row> rows, int width = 640, int height = 160) =>
        Chart(rows, [("score", "FD, lower is better", r => r.Score)], "score", "Score (FD, lower is better)", width, height);

    // The plot's margins: the value scale on the left, the kimg scale below.
    private const int Left = 56, Right = 10, Top = 10, Bottom = 24;

    /// <summary>
    /// Lines of <paramref name="series"/> against kimg, scaled to the finite values shown, with the value and kimg ranges at
    /// the axes and a key naming each line in its colour. Only numbers and the fixed names here reach the markup, so the page
    /// may write it raw. Empty when fewer than two rows have a value.
    /// </summary>
    private static string Chart(IReadOnlyList<Row> rows, (string Class, string Name, Func<Row, double?> Pick)[] series, string chartClass, string label, int width, int height)
    {
        var points = rows.Where(r => series.Any(s => s.Pick(r) is { } v && double.IsFinite(v))).ToList();
        if (points.Count < 2) return "";
        var (x0, x1) = (points[0].Kimg, points[^1].Kimg);
        var values = points.SelectMany(r => series.Select(s => s.Pick(r))).OfType<double>().Where(double.IsFinite).ToList();
        var (y0, y1) = (values.Min(), values.Max());
        if (y1 <= y0) y1 = y0 + 1;
        if (x1 <= x0) x1 = x0 + 1;
        var (right, bottom) = (width - Right, height - Bottom);
        string Line(Func<Row, double?> pick) => string.Join(' ', points.Where(r => pick(r) is { } v && double.IsFinite(v)).Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{Left + (r.Kimg - x0) / (x1 - x0) * (right - Left):F1},{bottom - (pick(r)!.Value - y0) / (y1 - y0) * (bottom - Top):F1}")));
        var svg = new System.Text.StringBuilder(string.Create(CultureInfo.InvariantCulture,
            $"<svg class=\"{chartClass}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{label} from {x0:F2} to {x1:F2} kimg, {y0:F2} to {y1:F2}\">"));
        svg.Append(string.Create(CultureInfo.InvariantCulture,
            $"<path class=\"axis\" d=\"M{Left},{Top} V{bottom} H{right}\"/>" +
            $"<text class=\"scale\" x=\"{Left - 6}\" y=\"{Top + 4}\" text-anchor=\"end\">{y1:G4}</text>" +
            $"<text class=\"scale\" x=\"{Left - 6}\" y=\"{bottom + 4}\" text-anchor=\"end\">{y0:G4}</text>" +
            $"<text class=\"scale\" x=\"{Left}\" y=\"{height - 6}\">{x0:0.##} kimg</text>" +
            $"<text class=\"scale\" x=\"{right}\" y=\"{height - 6}\" text-anchor=\"end\">{x1:0.##} kimg</text>"));
        for (var i = 0; i < series.Length; i++)
            svg.Append(string.Create(CultureInfo.InvariantCulture, $"<text class=\"key {series[i].Class}\" x=\"{right - 4}\" y=\"{Top + 14 + 14 * i}\" text-anchor=\"end\">{series[i].Name}</text>"));
        foreach (var s in series) svg.Append($"<polyline class=\"{s.Class}\" points=\"{Line(s.Pick)}\"/>");
        return svg.Append("</svg>").ToString();
    }
}
