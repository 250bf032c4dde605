using System.Globalization;
using Atelier.Catalog;

namespace Atelier.Cost;

/// <summary>Energy turned into kWh, money and CO2e with the workspace's prices.</summary>
public sealed record CostFigures(double Kwh, double Money, string Currency, double Co2Grams)
{
    public const double JoulesPerKwh = 3.6e6;

    /// <summary>
    /// kWh = J / 3.6e6; money = kWh × price per kWh + GPU-hours × price per GPU-hour + wall hours × price per
    /// instance-hour; CO2e = kWh × grams per kWh.
    /// </summary>
    public static CostFigures From(double joules, double wallSeconds, int gpus, CostSettings s)
    {
        var kwh = joules / JoulesPerKwh;
        var hours = wallSeconds / 3600;
        return new CostFigures(kwh, kwh * s.PricePerKwh + gpus * hours * s.PricePerGpuHour + hours * s.PricePerInstanceHour, s.Currency, kwh * s.GramsCo2PerKwh);
    }

    public static CostFigures From(EnergyReading r, CostSettings s) => From(r.Joules, r.WallSeconds, r.Gpus, s);

    /// <summary>A refusal with the reason for prices no sum can come from.</summary>
    public static void Validate(CostSettings s)
    {
        void NonNegative(double v, string name)
        {
            if (!double.IsFinite(v) || v < 0) throw new AtelierException("bad-config", $"cost.{name} in config.json is {v.ToString(CultureInfo.InvariantCulture)}; it must be a number of at least 0");
        }
        NonNegative(s.PricePerKwh, "pricePerKwh");
        NonNegative(s.PricePerGpuHour, "pricePerGpuHour");
        NonNegative(s.PricePerInstanceHour, "pricePerInstanceHour");
        NonNegative(s.GramsCo2PerKwh, "gramsCo2PerKwh");
        if (s.CpuTdpWatts is { } w && (!double.IsFinite(w) || w <= 0))
            throw new AtelierException("bad-config", $"cost.cpuTdpWatts in config.json is {w.ToString(CultureInfo.InvariantCulture)}; it must be a positive number of watts");
        if (string.IsNullOrWhiteSpace(s.Currency)) throw new AtelierException("bad-config", "cost.currency in config.json is empty");
    }

    /// <summary>One line for people: "0.0012 kWh, EUR 0.0004, 0.6 g CO2e (estimate)".</summary>
    public string Describe(bool estimate) =>
        string.Create(CultureInfo.InvariantCulture, $"{Kwh:0.######} kWh, {Currency} {Money:0.####}, {Co2Grams:0.###} g CO2e ({(estimate ? "estimate" : "measured")})");
}
