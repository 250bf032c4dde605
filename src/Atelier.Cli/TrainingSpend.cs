using System.Globalization;
using Atelier.Catalog;
using Atelier.Cost;
using Atelier.Training.Runs;

namespace Atelier.Cli;

/// <summary>
/// The spend probe a training is lent: this invocation's energy meter read without stopping, plus the run's
/// earlier training sessions as the catalog's energy table holds them, priced with the workspace's prices.
/// </summary>
public static class TrainingSpend
{
    public static Func<RunSpend> Probe(MeteredStage stage, string runName)
    {
        var ws = stage.Workspace;
        RunEnergy.Total? earlier = null;
        return () =>
        {
            // The earlier sessions are read once: this session's own row is written only when it ends.
            earlier ??= ws.Catalog.GetRun(runName) is { } run ? RunEnergy.Training(ws.Catalog.ListEnergy(run.Id)) : RunEnergy.Sum([]);
            var reading = stage.SoFar();
            var now = CostFigures.From(reading, ws.Config.Cost);
            // Money in one currency only: earlier sessions priced in another cannot be added to this one's.
            double money = earlier.Sessions == 0 ? now.Money
                : earlier.Money is { } m && earlier.Currency == now.Currency ? m + now.Money : double.NaN;
            return new RunSpend(earlier.WallSeconds + reading.WallSeconds, earlier.Kwh + now.Kwh, money, now.Currency, earlier.Co2Grams + now.Co2Grams,
                reading.IsEstimate || (earlier.Sessions > 0 && earlier.Method != "measured"));
        };
    }

    /// <summary>
    /// --budget-money in the workspace's currency; --budget-usd is the same where that currency is USD and refused
    /// elsewhere (no exchange rate is guessed).
    /// </summary>
    public static double? Money(Workspace ws, double? money, double? usd)
    {
        if (usd is null) return money;
        if (money is not null) throw new AtelierException("usage", "give --budget-money or --budget-usd, not both");
        var currency = ws.Config.Cost.Currency;
        if (!string.Equals(currency, "USD", StringComparison.OrdinalIgnoreCase))
            throw new AtelierException("usage", string.Create(CultureInfo.InvariantCulture,
                $"--budget-usd: this workspace prices in {currency} (cost.currency in config.json), and Atelier does not convert currencies; give --budget-money {usd} for {currency} {usd}"));
        return usd;
    }
}
