using System.Diagnostics;

namespace Atelier.Cost;

/// <summary>Where a meter reads from; tests pass a fake sysfs tree, a missing NVML and their own clocks.</summary>
public sealed record EnergySources(
    RaplReader Rapl,
    Func<(NvmlReader? Reader, string? Reason)> OpenNvml,
    Func<TimeSpan> WallClock,
    Func<TimeSpan> ProcessCpuTime,
    int Cores,
    string CpuModel)
{
    public static EnergySources Machine(string? powercapRoot = null)
    {
        var wall = Stopwatch.StartNew();
        return new EnergySources(new RaplReader(string.IsNullOrEmpty(powercapRoot) ? RaplReader.DefaultRoot : powercapRoot), () => (NvmlReader.TryOpen(out var reason), reason), () => wall.Elapsed,
            () => Process.GetCurrentProcess().TotalProcessorTime, Environment.ProcessorCount, CpuPower.ModelName());
    }
}

/// <summary>
/// Meters one stage: RAPL package energy and NVML GPU energy where they can be read, else the estimate.
/// Counters are read at start, at every <see cref="Sample"/> (a timer calls it, often enough that a RAPL
/// counter cannot wrap twice in between: at 250 W a 262 kJ range lasts about 17 minutes) and at stop.
/// </summary>
public sealed class EnergyMeter : IDisposable
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);

    private readonly EnergySources _sources;
    private readonly double? _configuredTdp;
    private readonly object _gate = new();
    private readonly TimeSpan _wallStart;
    private readonly TimeSpan _cpuStart;
    private readonly NvmlReader? _nvml;
    private readonly Timer? _timer;
    private IReadOnlyList<RaplZone>? _raplLast;
    private string? _raplReason;
    private double _raplJoules;
    private ulong[]? _gpuLast;
    private string? _gpuReason;
    private double _gpuJoules;
    private EnergyReading? _result;

    private EnergyMeter(EnergySources sources, double? configuredTdp, TimeSpan interval)
    {
        _sources = sources;
        _configuredTdp = configuredTdp;
        _wallStart = sources.WallClock();
        _cpuStart = sources.ProcessCpuTime();
        _raplLast = sources.Rapl.TryRead(out _raplReason);
        (_nvml, _gpuReason) = sources.OpenNvml();
        if (_nvml is not null)
        {
            _gpuLast = _nvml.TryReadMillijoules(out _gpuReason);
            if (_gpuLast is null) { _nvml.Dispose(); _nvml = null; }
        }
        if ((_raplLast is not null || _nvml is not null) && interval != Timeout.InfiniteTimeSpan)
            _timer = new Timer(_ => Sample(), null, interval, interval);
    }

    /// <summary>Starts metering; <paramref name="interval"/> <see cref="Timeout.InfiniteTimeSpan"/> leaves sampling to the caller.</summary>
    public static EnergyMeter Start(EnergySources sources, double? configuredTdpWatts = null, TimeSpan? interval = null) =>
        new(sources, configuredTdpWatts, interval ?? DefaultInterval);

    /// <summary>Adds what the counters moved since the last reading. A counter that stops being readable ends its measurement (the stage falls back to the estimate).</summary>
    public void Sample()
    {
        lock (_gate)
        {
            if (_result is not null) return;
            if (_raplLast is not null)
            {
                var now = _sources.Rapl.TryRead(out var reason);
                if (now is null) { _raplLast = null; _raplReason = $"RAPL stopped being readable: {reason}"; }
                else { _raplJoules += RaplReader.JoulesBetween(_raplLast, now); _raplLast = now; }
            }
            if (_nvml is not null && _gpuLast is not null)
            {
                var now = _nvml.TryReadMillijoules(out var reason);
                if (now is null) { _gpuLast = null; _gpuReason = reason; }
                else
                {
                    for (var i = 0; i < now.Length; i++) _gpuJoules += (now[i] >= _gpuLast[i] ? now[i] - _gpuLast[i] : 0) / 1000.0;
                    _gpuLast = now;
                }
            }
        }
    }

    /// <summary>
    /// What the stage has used so far, without stopping: the counters are sampled now and the meter runs on
    /// (training reads it every tick for its spend and budgets). After <see cref="Stop"/>, the final reading.
    /// </summary>
    public EnergyReading Peek()
    {
        Sample();
        lock (_gate) return _result ?? Read();
    }

    /// <summary>Stops and returns what the stage used; later calls return the same reading.</summary>
    public EnergyReading Stop()
    {
        _timer?.Dispose();
        Sample();
        lock (_gate)
        {
            if (_result is not null) return _result;
            _result = Read();
            _nvml?.Dispose();
            return _result;
        }
    }

    /// <summary>The reading from the start to now; called under the gate.</summary>
    private EnergyReading Read()
    {
        var wall = (_sources.WallClock() - _wallStart).TotalSeconds;
        var cpu = (_sources.ProcessCpuTime() - _cpuStart).TotalSeconds;
        double cpuJoules;
        string method;
        string? note;
        if (_raplLast is not null)
        {
            (cpuJoules, method, note) = (_raplJoules, EnergyMethods.Rapl, "RAPL package energy (the whole CPU package, every process on it)");
        }
        else
        {
            var tdp = CpuPower.Resolve(_sources.CpuModel, _configuredTdp);
            (cpuJoules, method, note) = (CpuPower.EstimateJoules(tdp.Watts, cpu, _sources.Cores), EnergyMethods.Estimate,
                $"{CpuPower.Describe(tdp, _sources.Cores)}; {_raplReason}");
        }
        double? gpu = _gpuLast is not null ? _gpuJoules : null;
        return new EnergyReading(wall, cpu, cpuJoules, method, note, gpu, _nvml?.DeviceCount ?? 0, gpu is null ? _gpuReason : null);
    }

    public void Dispose() => Stop();
}
