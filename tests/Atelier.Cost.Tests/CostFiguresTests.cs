using Atelier.Catalog;

namespace Atelier.Cost.Tests;

public sealed class CostFiguresTests
{
    [Fact]
    public void Energy_becomes_kwh_money_and_co2()
    {
        var s = new CostSettings { Currency = "USD", PricePerKwh = 0.25, PricePerGpuHour = 2, PricePerInstanceHour = 1.5, GramsCo2PerKwh = 400 };
        var f = CostFigures.From(joules: 7.2e6, wallSeconds: 1800, gpus: 2, s);
        Assert.Equal(2, f.Kwh, 12);
        Assert.Equal(2 * 0.25 + 2 * 0.5 * 2 + 0.5 * 1.5, f.Money, 12);
        Assert.Equal(800, f.Co2Grams, 12);
        Assert.Equal("USD", f.Currency);
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var s = new CostSettings();
        Assert.Equal((0.30, 0.0, 0.0, 475.0, "EUR"), (s.PricePerKwh, s.PricePerGpuHour, s.PricePerInstanceHour, s.GramsCo2PerKwh, s.Currency));
        var f = CostFigures.From(new EnergyReading(60, 30, 3.6e6, EnergyMethods.Estimate, "n", null, 0, "g"), s);
        Assert.Equal("1 kWh, EUR 0.3, 475 g CO2e (estimate)", f.Describe(estimate: true));
        Assert.EndsWith("(measured)", f.Describe(estimate: false));
    }

    [Theory]
    [InlineData(-0.1, 0, 0, 475, null, "cost.pricePerKwh")]
    [InlineData(0.3, double.NaN, 0, 475, null, "cost.pricePerGpuHour")]
    [InlineData(0.3, 0, -1, 475, null, "cost.pricePerInstanceHour")]
    [InlineData(0.3, 0, 0, -5, null, "cost.gramsCo2PerKwh")]
    [InlineData(0.3, 0, 0, 475, 0.0, "cost.cpuTdpWatts")]
    public void Prices_no_sum_can_come_from_are_refused_with_the_field(double kwh, double gpu, double instance, double co2, double? tdp, string field)
    {
        var s = new CostSettings { PricePerKwh = kwh, PricePerGpuHour = gpu, PricePerInstanceHour = instance, GramsCo2PerKwh = co2, CpuTdpWatts = tdp };
        var e = Assert.Throws<AtelierException>(() => CostFigures.Validate(s));
        Assert.Equal("bad-config", e.Code);
        Assert.Contains(field, e.Message);
    }
}
