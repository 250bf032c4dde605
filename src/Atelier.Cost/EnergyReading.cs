namespace Atelier.Cost;

/// <summary>
/// What one metered stage used. <see cref="CpuMethod"/> is <see cref="EnergyMethods.Rapl"/> (measured) or
/// <see cref="EnergyMethods.Estimate"/>, and <see cref="CpuNote"/> says how it was estimated and why RAPL was
/// not used. GPU energy is null where NVML could not be read (<see cref="GpuNote"/> says why).
/// </summary>
public sealed record EnergyReading(double WallSeconds, double CpuSeconds, double CpuJoules, string CpuMethod, string? CpuNote,
    double? GpuJoules, int Gpus, string? GpuNote)
{
    public bool IsEstimate => CpuMethod == EnergyMethods.Estimate;
    public double Joules => CpuJoules + (GpuJoules ?? 0);
}

public static class EnergyMethods
{
    public const string Rapl = "rapl";
    public const string Estimate = "estimate";
}
