using System.Globalization;
using Atelier.Catalog;

namespace Atelier.Cost;

/// <summary>A run's energy and cost as recorded: its trainings (a resumed run's sessions summed) and every invocation.</summary>
public static class RunEnergy
{
    /// <summary>
    /// Sum of several invocations. <see cref="Method"/> is "measured", "estimate", or "partly estimated" when
    /// some sessions were measured and others estimated (a run resumed on another machine). Money is null when
    /// sessions were priced in different currencies.
    /// </summary>
    public sealed record Total(int Sessions, double WallSeconds, double CpuSeconds, double Kwh, double? Money, string Currency, double Co2Grams, string Method);

    public sealed record Summary(Total Training, IReadOnlyList<EnergyRecord> Invocations);

    /// <summary>One invocation as shown in JSON: the reading, its figures, and "estimate" or "measured".</summary>
    public sealed record Invocation(double WallSeconds, double CpuSeconds, double CpuJoules, string CpuMethod, string? CpuNote, double? GpuJoules, int Gpus,
        string? GpuNote, double Kwh, double Money, string Currency, double Co2Grams, string Method);

    public static Summary Of(IReadOnlyList<EnergyRecord> records) => new(Training(records), records);

    public static Total Training(IReadOnlyList<EnergyRecord> records) => Sum(records.Where(r => r.Stage == "train").ToList());

    public static Total Sum(IReadOnlyList<EnergyRecord> rows)
    {
        var estimates = rows.Count(r => r.CpuMethod == EnergyMethods.Estimate);
        var method = estimates == 0 ? "measured" : estimates == rows.Count ? EnergyMethods.Estimate : "partly estimated";
        // Money in one currency only: sessions priced in another are named, not added.
        var currency = rows.Select(r => r.Currency).Distinct().ToList() is { Count: 1 } one ? one[0] : rows.Count == 0 ? "" : "mixed";
        return new Total(rows.Count, rows.Sum(r => r.WallSeconds), rows.Sum(r => r.CpuSeconds), rows.Sum(r => r.Kwh),
            currency == "mixed" ? null : rows.Sum(r => r.Money), currency, rows.Sum(r => r.Co2Grams), method);
    }

    public static Invocation View(EnergyReading r, CostFigures f) =>
        new(r.WallSeconds, r.CpuSeconds, r.CpuJoules, r.CpuMethod, r.CpuNote, r.GpuJoules, r.Gpus, r.GpuNote, f.Kwh, f.Money, f.Currency, f.Co2Grams,
            r.IsEstimate ? EnergyMethods.Estimate : "measured");

    public static string Describe(Total t) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{t.Sessions} training session{(t.Sessions == 1 ? "" : "s")}, {t.WallSeconds:0.0} s, {t.Kwh:0.######} kWh, {(t.Currency == "mixed" ? "money in several currencies" : $"{t.Currency} {t.Money:0.####}")}, {t.Co2Grams:0.###} g CO2e ({t.Method})");
}
