using Atelier.TestSupport;

namespace Atelier.Cost.Tests;

public sealed class CpuPowerTests
{
    [Fact]
    public void The_tdp_comes_from_the_configuration_then_the_table_then_the_default()
    {
        Assert.Equal(new CpuTdp(42, "configured cost.cpuTdpWatts"), CpuPower.Resolve("AMD EPYC 7763 64-Core Processor", 42));
        Assert.Equal(280, CpuPower.Resolve("AMD EPYC 7763 64-Core Processor", null).Watts);
        Assert.Equal(270, CpuPower.Resolve("Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz", null).Watts);
        var unknown = CpuPower.Resolve("AMD EPYC", null);
        Assert.Equal(CpuPower.DefaultWatts, unknown.Watts);
        Assert.Contains("unknown CPU ('AMD EPYC'", unknown.Source);
    }

    [Fact]
    public void The_model_name_is_read_from_cpuinfo()
    {
        using var dir = new TempDir();
        var path = dir.Write("cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 9654 96-Core Processor\nprocessor\t: 1\nmodel name\t: other\n");
        Assert.Equal("AMD EPYC 9654 96-Core Processor", CpuPower.ModelName(path));
        Assert.Equal("unknown CPU", CpuPower.ModelName(Path.Combine(dir.Path, "absent")));
    }

    [Fact]
    public void The_estimate_is_tdp_times_the_share_of_cores_used()
    {
        Assert.Equal(85 * 8 / 2.0, CpuPower.EstimateJoules(85, 8, 2), 9);
        Assert.Equal(0, CpuPower.EstimateJoules(85, -1, 2)); // a clock that went back adds nothing
    }
}
