using Atelier.Catalog;

namespace Atelier.Cost;

/// <summary>
/// Energy and cost per stage (ingest, export, train, sample, eval, calibrate, and any other recorded): how many invocations,
/// their wall time, kWh, money and CO2e, and which share rests on the TDP estimate rather than a measurement.
/// </summary>
public static class StageEnergy
{
    /// <summary>One stage's sum. <see cref="EstimatedKwhShare"/>: the part of its kWh that was estimated (0 to 1; 0 when no energy).</summary>
    public sealed record StageTotal(string Stage, int Invocations, double WallSeconds, double CpuSeconds, double Kwh, double? Money, string Currency,
        double Co2Grams, int EstimatedInvocations, double EstimatedKwhShare, string Method);

    public sealed record Summary(IReadOnlyList<StageTotal> Stages, StageTotal All);

    /// <summary>The order stages run in; others (recorded by a later version) follow by name.</summary>
    public static readonly IReadOnlyList<string> StageOrder = ["ingest", "export", "calibrate", "train", "sample", "eval"];

    public static Summary Of(IReadOnlyList<EnergyRecord> rows)
    {
        var stages = rows.GroupBy(r => r.Stage)
            .OrderBy(g => StageOrder.IndexOf(g.Key) is var i and >= 0 ? i : StageOrder.Count).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Total(g.Key, g.ToList())).ToList();
        return new Summary(stages, Total("all", rows));
    }

    private static StageTotal Total(string stage, IReadOnlyList<EnergyRecord> rows)
    {
        var sum = RunEnergy.Sum(rows);
        var estimated = rows.Where(r => r.CpuMethod == EnergyMethods.Estimate).ToList();
        var share = sum.Kwh > 0 ? estimated.Sum(r => r.Kwh) / sum.Kwh : 0;
        return new StageTotal(stage, rows.Count, sum.WallSeconds, sum.CpuSeconds, sum.Kwh, sum.Money, sum.Currency, sum.Co2Grams, estimated.Count, share,
            rows.Count == 0 ? "none" : sum.Method);
    }

    private static int IndexOf(this IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == value) return i;
        return -1;
    }
}
