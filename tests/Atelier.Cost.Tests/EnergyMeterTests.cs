namespace Atelier.Cost.Tests;

public sealed class EnergyMeterTests
{
    /// <summary>Clocks the test moves by hand: no test here depends on how fast the machine is.</summary>
    private sealed class Clocks
    {
        public TimeSpan Wall = TimeSpan.FromSeconds(100);
        public TimeSpan Cpu = TimeSpan.FromSeconds(7);
    }

    private static EnergySources Sources(RaplReader rapl, Clocks clocks, string cpuModel = "AMD EPYC", int cores = 2, string nvml = "libnvidia-ml-absent-for-test.so.1") =>
        new(rapl, () => (NvmlReader.TryOpen(out var reason, nvml), reason), () => clocks.Wall, () => clocks.Cpu, cores, cpuModel);

    [Fact]
    public void Rapl_energy_is_measured_across_samples_even_when_the_counter_wraps_more_than_once()
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", 100_000_000_000);
        var clocks = new Clocks();
        using var meter = EnergyMeter.Start(Sources(fs.Reader(), clocks), interval: Timeout.InfiniteTimeSpan);

        // 3 × 200 kJ in total: more than one counter range, so only sampling in between can see it all.
        fs.Set("intel-rapl:0", (100_000_000_000 + 200_000_000_000) % FakePowercap.Range);
        meter.Sample();
        fs.Set("intel-rapl:0", (100_000_000_000 + 400_000_000_000) % FakePowercap.Range);
        meter.Sample();
        fs.Set("intel-rapl:0", (100_000_000_000 + 600_000_000_000) % FakePowercap.Range);
        clocks.Wall += TimeSpan.FromSeconds(3000);
        clocks.Cpu += TimeSpan.FromSeconds(10);
        var r = meter.Stop();

        Assert.Equal(EnergyMethods.Rapl, r.CpuMethod);
        Assert.False(r.IsEstimate);
        Assert.Equal(600_000, r.CpuJoules, 6);
        Assert.Equal(3000, r.WallSeconds, 9);
        Assert.Equal(10, r.CpuSeconds, 9);
    }

    [Fact]
    public void Without_rapl_the_cpu_energy_is_an_estimate_that_says_how_and_why()
    {
        var clocks = new Clocks();
        var rapl = new RaplReader(Path.Combine(Path.GetTempPath(), "atelier-no-powercap-" + Guid.NewGuid().ToString("N")));
        using var meter = EnergyMeter.Start(Sources(rapl, clocks, cores: 2), configuredTdpWatts: 100, interval: Timeout.InfiniteTimeSpan);
        clocks.Wall += TimeSpan.FromSeconds(10);
        clocks.Cpu += TimeSpan.FromSeconds(3); // 15% of 2 cores for 10 s
        var r = meter.Stop();

        Assert.True(r.IsEstimate);
        Assert.Equal(EnergyMethods.Estimate, r.CpuMethod);
        Assert.Equal(150, r.CpuJoules, 9); // 100 W × 3 s / 2 cores
        Assert.Contains("TDP 100 W (configured cost.cpuTdpWatts)", r.CpuNote);
        Assert.Contains("RAPL not exposed", r.CpuNote);
    }

    [Fact]
    public void Rapl_that_becomes_unreadable_falls_back_to_the_estimate_and_says_so()
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", 1_000);
        var clocks = new Clocks();
        using var meter = EnergyMeter.Start(Sources(fs.Reader(), clocks, cpuModel: "AMD EPYC 7763 64-Core Processor", cores: 4), interval: Timeout.InfiniteTimeSpan);
        File.SetUnixFileMode(fs.PathOf("intel-rapl:0/energy_uj"), UnixFileMode.None);
        clocks.Cpu += TimeSpan.FromSeconds(2);
        var r = meter.Stop();

        Assert.True(r.IsEstimate);
        Assert.Equal(280 * 2 / 4.0, r.CpuJoules, 9);
        Assert.Contains("TDP 280 W (table: EPYC 7763)", r.CpuNote);
        Assert.Contains("RAPL stopped being readable", r.CpuNote);
        Assert.Contains("permission denied", r.CpuNote);
    }

    [Fact]
    public void Without_nvml_there_is_no_gpu_energy_and_the_reason_is_kept()
    {
        var clocks = new Clocks();
        using var meter = EnergyMeter.Start(Sources(new RaplReader(Path.Combine(Path.GetTempPath(), "none-" + Guid.NewGuid().ToString("N"))), clocks), interval: Timeout.InfiniteTimeSpan);
        var r = meter.Stop();

        Assert.Null(r.GpuJoules);
        Assert.Equal(0, r.Gpus);
        Assert.Equal("no NVIDIA driver (libnvidia-ml-absent-for-test.so.1 not found)", r.GpuNote);
        Assert.Equal(r.CpuJoules, r.Joules);
    }

    [Fact]
    public void Stop_twice_gives_the_same_reading()
    {
        var clocks = new Clocks();
        var meter = EnergyMeter.Start(Sources(new RaplReader(Path.Combine(Path.GetTempPath(), "none-" + Guid.NewGuid().ToString("N"))), clocks), configuredTdpWatts: 50, interval: Timeout.InfiniteTimeSpan);
        clocks.Cpu += TimeSpan.FromSeconds(4);
        var first = meter.Stop();
        clocks.Cpu += TimeSpan.FromSeconds(40);
        Assert.Same(first, meter.Stop());
        Assert.Equal(100, first.CpuJoules, 9);
    }

    [Fact]
    public void A_powercap_tree_that_goes_away_mid_run_ends_the_measurement_with_its_reason()
    {
        var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", 5_000_000);
        var clocks = new Clocks();
        using var meter = EnergyMeter.Start(Sources(fs.Reader(), clocks), configuredTdpWatts: 10, interval: Timeout.InfiniteTimeSpan);
        fs.Set("intel-rapl:0", 6_000_000);
        meter.Sample();
        fs.Dispose(); // the folder is gone
        clocks.Cpu += TimeSpan.FromSeconds(1);
        var r = meter.Stop();

        Assert.True(r.IsEstimate);
        Assert.Equal(5, r.CpuJoules, 9);
        Assert.Contains("RAPL stopped being readable: no ", r.CpuNote);
    }

    [Fact]
    public void Peek_reads_what_was_used_so_far_and_the_meter_runs_on()
    {
        using var fs = new FakePowercap();
        fs.Zone("intel-rapl:0", "package-0", 1_000_000);
        var clocks = new Clocks();
        using var meter = EnergyMeter.Start(Sources(fs.Reader(), clocks), interval: Timeout.InfiniteTimeSpan);
        fs.Set("intel-rapl:0", 3_000_000);
        clocks.Wall += TimeSpan.FromSeconds(20);
        clocks.Cpu += TimeSpan.FromSeconds(2);
        var soFar = meter.Peek();
        Assert.Equal(2, soFar.CpuJoules, 9);
        Assert.Equal(20, soFar.WallSeconds, 9);
        Assert.Equal(2, soFar.CpuSeconds, 9);

        // Peeking stopped nothing: the counter keeps being followed, and Stop sees the whole stage.
        fs.Set("intel-rapl:0", 7_000_000);
        clocks.Wall += TimeSpan.FromSeconds(30);
        Assert.Equal(6, meter.Peek().CpuJoules, 9);
        fs.Set("intel-rapl:0", 8_000_000);
        var final = meter.Stop();
        Assert.Equal(7, final.CpuJoules, 9);
        Assert.Equal(50, final.WallSeconds, 9);
        // After the stop a peek is the final reading.
        fs.Set("intel-rapl:0", 9_000_000);
        Assert.Same(final, meter.Peek());
    }

    [Fact]
    public void Peek_of_an_estimate_grows_with_the_cpu_time_used()
    {
        var clocks = new Clocks();
        using var meter = EnergyMeter.Start(Sources(new RaplReader(Path.Combine(Path.GetTempPath(), "none-" + Guid.NewGuid().ToString("N"))), clocks), configuredTdpWatts: 50, interval: Timeout.InfiniteTimeSpan);
        clocks.Cpu += TimeSpan.FromSeconds(4);
        var first = meter.Peek();
        Assert.True(first.IsEstimate);
        Assert.Equal(100, first.CpuJoules, 9); // 50 W × 4 s / 2 cores
        clocks.Cpu += TimeSpan.FromSeconds(4);
        Assert.Equal(200, meter.Peek().CpuJoules, 9);
        Assert.Equal(200, meter.Stop().CpuJoules, 9);
    }
}
