using Atelier.Catalog;
using ScottPlot;

namespace Atelier.Training.Reporting;

/// <summary>Chosen metrics against kimg as a line chart PNG (ScottPlot, rendered off-screen by Skia).</summary>
public static class LossPlot
{
    public const int DefaultWidth = 1000;
    public const int DefaultHeight = 600;

    public static void Save(string pngPath, IReadOnlyList<MetricsRow> rows, IEnumerable<string> keys) =>
        Save(pngPath, rows, keys, DefaultWidth, DefaultHeight);

    public static void Save(string pngPath, IReadOnlyList<MetricsRow> rows, IEnumerable<string> keys, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pngPath);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        AtomicFile.WriteAllBytes(pngPath, Render(rows, keys, width, height));
    }

    public static byte[] Render(IReadOnlyList<MetricsRow> rows, IEnumerable<string> keys, int width, int height)
    {
        using var plot = new Plot();
        foreach (string key in keys.Distinct(StringComparer.Ordinal))
        {
            // Rows without the key, or with a non-finite value (a diverged step), are left out of its line.
            var points = rows.Where(r => r.Values.TryGetValue(key, out double v) && double.IsFinite(v)).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.ScatterLine(points.Select(r => r.Kimg).ToArray(), points.Select(r => r.Values[key]).ToArray());
            line.LegendText = key;
        }
        plot.XLabel("kimg");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
