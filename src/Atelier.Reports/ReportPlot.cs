using ScottPlot;

namespace Atelier.Reports;

/// <summary>One line of a report plot: a run's values of one key.</summary>
public sealed record PlotSeries(string Label, Color Color, IReadOnlyList<double> X, IReadOnlyList<double> Y, LinePattern Pattern);

/// <summary>Line charts of several runs overlaid, as PNG bytes (ScottPlot, rendered off-screen by Skia).</summary>
public static class ReportPlot
{
    public const int Width = 800;
    public const int Height = 480;

    /// <summary>The colour of the run at this position on every plot and beside its name on the page.</summary>
    public static Color RunColor(int index) => new ScottPlot.Palettes.Category10().GetColor(index);

    /// <summary>Line patterns that tell a run's keys apart when its colour is shared (loss/d, loss/g, ...).</summary>
    public static LinePattern KeyPattern(int index) => Patterns[index % Patterns.Length].Pattern;

    /// <summary>The pattern's name for the page's caption.</summary>
    public static string KeyPatternName(int index) => Patterns[index % Patterns.Length].Name;

    private static readonly (LinePattern Pattern, string Name)[] Patterns =
        [(LinePattern.Solid, "solid"), (LinePattern.Dashed, "dashed"), (LinePattern.Dotted, "dotted"), (LinePattern.DenselyDashed, "densely dashed")];

    /// <summary>Null when no series has a finite point (nothing to draw).</summary>
    /// <param name="scale">Text and lines drawn this many times larger: the page shows a plot at about width / scale pixels, sharp on high-density screens.</param>
    public static byte[]? Render(string title, string xLabel, string yLabel, IEnumerable<PlotSeries> series, int width = Width, int height = Height, double scale = 1.6, bool legendBeside = false)
    {
        using var plot = new Plot();
        plot.ScaleFactor = scale;
        // The sans-serif face .ci/run installs (fonts-dejavu-core); ScottPlot's own default falls back to a serif face here.
        plot.Font.Set("DejaVu Sans");
        var drawn = 0;
        foreach (var s in series)
        {
            // Points where either value is not finite (a diverged step, a row without the key) are left out.
            var points = s.X.Zip(s.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.Scatter(points.Select(p => p.First).ToArray(), points.Select(p => p.Second).ToArray());
            line.Color = s.Color;
            line.LinePattern = s.Pattern;
            line.LineWidth = 2;
            line.MarkerSize = points.Length > 60 ? 0 : 6;
            line.LegendText = s.Label;
            drawn++;
        }
        if (drawn == 0) return null;
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        // Beside the data where many lines would hide it (losses: runs × keys); in the corner a falling score leaves free otherwise.
        if (legendBeside) plot.ShowLegend(Edge.Right);
        else plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
