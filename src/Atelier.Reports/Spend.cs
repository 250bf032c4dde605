using Atelier.Catalog;
using Atelier.Cost;
using Atelier.Training.Reporting;

namespace Atelier.Reports;

/// <summary>The compute axes a score is plotted against: energy and money spent by the run up to each metrics row.</summary>
public enum SpendAxis { Kwh, Money }

/// <summary>
/// Spend at each metrics row: as the trainer logged it (cumulative <c>cost/kwh</c>, <c>cost/money</c> over all the
/// run's sessions) or, for runs logged before those keys existed, estimated from the run's recorded training
/// energy in proportion to the images seen at that row.
/// </summary>
public sealed record SpendSeries(double[] Values, bool Estimated)
{
    public const string KwhKey = "cost/kwh";
    public const string MoneyKey = "cost/money";

    public static string KeyOf(SpendAxis axis) => axis == SpendAxis.Kwh ? KwhKey : MoneyKey;

    /// <summary>One value per row of <see cref="ReportedRun.Metrics"/> (NaN where unknown); null when the run logged no
    /// spend and has no training energy recorded, or its sessions were priced in several currencies.</summary>
    public static SpendSeries? Of(ReportedRun run, SpendAxis axis)
    {
        ArgumentNullException.ThrowIfNull(run);
        var rows = run.Metrics;
        var key = KeyOf(axis);
        if (rows.Any(r => r.Values.TryGetValue(key, out var v) && double.IsFinite(v)))
            return new SpendSeries(rows.Select(r => r.Values.TryGetValue(key, out var v) ? v : double.NaN).ToArray(), Estimated: false);

        var total = RunEnergy.Training(run.Energy);
        if (total.Sessions == 0) return null;
        double? spent = axis == SpendAxis.Kwh ? total.Kwh : total.Money;
        if (spent is not { } amount) return null;
        // The recorded total covers the images the run has seen; a row's share is its images over those.
        long images = Math.Max(run.Run.ImagesSeen, rows.Count == 0 ? 0 : rows.Max(r => r.Images));
        if (images <= 0) return null;
        return new SpendSeries(rows.Select(r => amount * Math.Min(1.0, (double)r.Images / images)).ToArray(), Estimated: true);
    }
}
