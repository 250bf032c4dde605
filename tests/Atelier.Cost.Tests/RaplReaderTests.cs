namespace Atelier.Cost.Tests;

public sealed class RaplReaderTests
{
    [Fact]
    public void Reads_package_zones_only_and_sums_their_energy()
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", 1_000_000);
        fs.Zone("intel-rapl:1", "package-1", 5_000_000);
        fs.Zone("intel-rapl:0/intel-rapl:0:0", "core", 700_000); // a part of package 0
        fs.Zone("intel-rapl:0:1", "dram", 100);
        fs.Zone("intel-rapl:2", "psys", 9_000_000); // the whole platform: would count the packages twice
        var reader = fs.Reader();

        var start = reader.TryRead(out var reason);
        Assert.Null(reason);
        Assert.Equal(["intel-rapl:0", "intel-rapl:1"], start!.Select(z => z.Name));
        fs.Set("intel-rapl:0", 3_500_000);
        fs.Set("intel-rapl:1", 6_000_000);
        fs.Set("intel-rapl:0:1", 9_999_999);
        fs.Set("intel-rapl:2", 99_000_000);
        var end = reader.TryRead(out _)!;

        Assert.Equal(3.5, RaplReader.JoulesBetween(start!, end), 9);
    }

    [Fact]
    public void A_counter_that_wrapped_counts_the_energy_up_to_its_range_and_after()
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", FakePowercap.Range - 400_000);
        var reader = fs.Reader();
        var start = reader.TryRead(out _)!;
        fs.Set("intel-rapl:0", 600_000);
        var end = reader.TryRead(out _)!;

        Assert.Equal(1.0, RaplReader.JoulesBetween(start, end), 9);
    }

    [Fact]
    public void No_powercap_folder_is_a_reason_not_an_error()
    {
        var reader = new RaplReader(Path.Combine(Path.GetTempPath(), "atelier-no-powercap-" + Guid.NewGuid().ToString("N")));
        Assert.Null(reader.TryRead(out var reason));
        Assert.Contains("RAPL not exposed", reason);
    }

    [Fact]
    public void A_tree_without_package_zones_says_so()
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl-mmio:0", "package-0", 5);
        Assert.Null(fs.Reader().TryRead(out var reason));
        Assert.Contains("no RAPL package zone", reason);
    }

    [Theory]
    [InlineData("energy_uj")]
    [InlineData("max_energy_range_uj")]
    public void A_missing_counter_file_is_named(string file)
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", 5);
        File.Delete(fs.PathOf($"intel-rapl:0/{file}"));
        Assert.Null(fs.Reader().TryRead(out var reason));
        Assert.Equal($"{fs.PathOf($"intel-rapl:0/{file}")} is missing", reason);
    }

    [Fact]
    public void An_unreadable_counter_is_named_with_the_permission_reason()
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", 5);
        File.SetUnixFileMode(fs.PathOf("intel-rapl:0/energy_uj"), UnixFileMode.None); // as the kernel ships it to non-root since 5.10
        Assert.Null(fs.Reader().TryRead(out var reason));
        Assert.Contains("intel-rapl:0/energy_uj is not readable (permission denied", reason);
    }

    [Fact]
    public void A_counter_that_is_no_number_is_refused_with_its_content()
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", 5);
        File.WriteAllText(fs.PathOf("intel-rapl:0/energy_uj"), "-12x\n");
        Assert.Null(fs.Reader().TryRead(out var reason));
        Assert.Contains("does not hold a counter ('-12x')", reason);
    }
}
