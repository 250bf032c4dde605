using System.Globalization;

namespace Atelier.Cost;

/// <summary>The TDP the estimate uses and where it came from (configuration, the table, or the default).</summary>
public sealed record CpuTdp(double Watts, string Source);

/// <summary>
/// Thermal design power by CPU model name, for the estimate where RAPL cannot be read. A small table of
/// manufacturers' published TDPs; an unknown model gets <see cref="DefaultWatts"/>, and the configuration
/// (<c>cost.cpuTdpWatts</c>) overrides both.
/// </summary>
public static class CpuPower
{
    public const double DefaultWatts = 85;

    // Substring of /proc/cpuinfo's "model name" → TDP in watts (vendor specification sheets).
    private static readonly (string Model, double Watts)[] Table =
    [
        ("EPYC 9654", 360),
        ("EPYC 7763", 280),
        ("EPYC 7742", 225),
        ("Xeon(R) Platinum 8480+", 350),
        ("Xeon(R) Platinum 8380", 270),
        ("Ryzen 9 7950X", 170),
        ("i9-13900K", 125),
    ];

    public static CpuTdp Resolve(string cpuModel, double? configured)
    {
        if (configured is { } w) return new CpuTdp(w, "configured cost.cpuTdpWatts");
        foreach (var (model, watts) in Table)
            if (cpuModel.Contains(model, StringComparison.OrdinalIgnoreCase)) return new CpuTdp(watts, $"table: {model}");
        return new CpuTdp(DefaultWatts, $"default for an unknown CPU ('{cpuModel}'; set cost.cpuTdpWatts)");
    }

    /// <summary>The first "model name" of /proc/cpuinfo, or "unknown CPU".</summary>
    public static string ModelName(string cpuinfoPath = "/proc/cpuinfo")
    {
        try
        {
            foreach (var line in File.ReadLines(cpuinfoPath))
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is var colon and >= 0)
                    return line[(colon + 1)..].Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return "unknown CPU";
    }

    /// <summary>
    /// The estimate: average power TDP × u, with u = this process's CPU time / (wall time × logical cores),
    /// over the wall time; so energy = TDP × CPU time / cores. CodeCarbon's model (TDP × load) attributed to
    /// this process only, because the machine may be shared.
    /// </summary>
    public static double EstimateJoules(double tdpWatts, double cpuSeconds, int cores) =>
        tdpWatts * Math.Max(0, cpuSeconds) / Math.Max(1, cores);

    public static string Describe(CpuTdp tdp, int cores) =>
        string.Create(CultureInfo.InvariantCulture, $"TDP {tdp.Watts:0} W ({tdp.Source}) × process CPU time / {cores} cores");
}
