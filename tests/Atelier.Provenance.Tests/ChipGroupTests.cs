using Atelier.Provenance.Watermarking;

namespace Atelier.Provenance.Tests;

public class ChipGroupTests
{
    private static ChipGroup Bit(double hostZ, double scale = 1) => new(0, 46, 1f, hostZ, 3.0, scale);

    [Fact]
    public void A_bit_the_picture_already_carries_past_the_margin_costs_nothing_and_one_it_opposes_costs_the_gap()
    {
        Assert.Equal(0, Bit(12).Shortfall(10));
        Assert.Equal(4, Bit(6).Shortfall(10), 12);
        Assert.Equal(25, Bit(-15).Shortfall(10), 12);
        Assert.Equal(20 - 1, Bit(1, scale: 2).Shortfall(10), 12); // the pilot's larger share
        Assert.Equal(0, (Bit(-15) with { LeftToCorrection = true }).Shortfall(10));
    }

    [Fact]
    public void The_margin_found_spends_exactly_the_energy_given_and_more_energy_buys_more_margin()
    {
        var rng = new Random(3);
        var groups = Enumerable.Range(0, 249).Select(i => Bit(rng.NextDouble() * 60 - 30, i == 248 ? 9.27 : 1)).ToArray();
        double opposed = ChipGroup.Energy(groups, 0); // what bringing every opposed bit to zero costs
        Assert.Equal(0, ChipGroup.MarginFor(groups, opposed / 2));
        double previous = 0;
        foreach (double energy in new[] { 1e3, 1e4, 1e5, 1e6 }.Select(e => opposed + e))
        {
            double margin = ChipGroup.MarginFor(groups, energy);
            Assert.Equal(energy, ChipGroup.Energy(groups, margin), energy * 1e-9);
            Assert.True(margin > previous, $"energy {energy}: margin {margin} after {previous}");
            previous = margin;
        }
        // Energy by hand at one margin.
        double m = 7, expected = groups.Sum(g => Math.Pow(Math.Max(0, g.Scale * m - g.HostZ), 2));
        Assert.Equal(expected, ChipGroup.Energy(groups, m), 1e-9);
    }

    [Fact]
    public void Only_the_most_opposed_code_bits_beyond_twice_the_margin_are_left_to_the_correction_and_never_the_pilot()
    {
        double[] host = [-50, -21, -19, 5, -35, -80, 30, -90 /* the pilot */];
        var groups = host.Select(h => Bit(h)).ToArray();
        var left = ChipGroup.LeaveCostliestToCorrection(groups, margin: 10, most: 3);
        Assert.Equal([true, false, false, false, true, true, false, false], left.Select(g => g.LeftToCorrection).ToArray());
        var two = ChipGroup.LeaveCostliestToCorrection(groups, margin: 10, most: 2);
        Assert.Equal([true, false, false, false, false, true, false, false], two.Select(g => g.LeftToCorrection).ToArray());
        Assert.All(groups, g => Assert.False(g.LeftToCorrection)); // the input is not changed
    }
}
