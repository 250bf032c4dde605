using System.Globalization;
using System.Text.RegularExpressions;

namespace Atelier.Cost;

/// <summary>One reading of a RAPL package counter (microjoules) and the value at which it wraps to zero.</summary>
public sealed record RaplZone(string Name, long EnergyMicrojoules, long MaxRangeMicrojoules);

/// <summary>
/// CPU package energy from the Linux powercap interface (Intel RAPL; AMD Zen exposes the same files through
/// the same driver). Only top-level package zones are read (<c>intel-rapl:N</c>): their sub-zones (cores,
/// uncore, DRAM) are parts of them or not the CPU, and a "psys" zone covers the whole platform, so adding
/// them would count energy twice.
/// </summary>
public sealed partial class RaplReader(string root = RaplReader.DefaultRoot, Func<string, string>? readText = null)
{
    public const string DefaultRoot = "/sys/class/powercap";

    private readonly Func<string, string> _readText = readText ?? File.ReadAllText;

    [GeneratedRegex(@"^intel-rapl:\d+$")]
    private static partial Regex PackageZone();

    /// <summary>Reads every package counter, or returns null with the reason none can be used.</summary>
    public IReadOnlyList<RaplZone>? TryRead(out string? reason)
    {
        reason = null;
        if (!Directory.Exists(root))
        {
            reason = $"no {root} (RAPL not exposed on this machine)";
            return null;
        }
        List<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories(root).Where(d => PackageZone().IsMatch(Path.GetFileName(d))).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Also read from the meter's timer thread: a failure here is a reason, never an exception that ends the process.
            reason = $"{root} cannot be listed ({e.Message})";
            return null;
        }
        var zones = new List<RaplZone>();
        foreach (var dir in dirs)
        {
            var zone = Path.GetFileName(dir);
            var name = TryText(Path.Combine(dir, "name"), out _)?.Trim() ?? zone;
            if (name == "psys") continue;
            var energy = ReadCounter(dir, "energy_uj", out reason);
            if (energy is null) return null;
            var range = ReadCounter(dir, "max_energy_range_uj", out reason);
            if (range is null) return null;
            zones.Add(new RaplZone(zone, energy.Value, range.Value));
        }
        if (zones.Count == 0)
        {
            reason = $"no RAPL package zone (intel-rapl:N) under {root}";
            return null;
        }
        return zones;
    }

    /// <summary>
    /// Energy between two readings of the same zones. A counter lower than before has wrapped once past its
    /// range (the meter reads often enough that it cannot wrap twice between readings).
    /// </summary>
    public static double JoulesBetween(IReadOnlyList<RaplZone> start, IReadOnlyList<RaplZone> end)
    {
        double microjoules = 0;
        foreach (var e in end)
        {
            var s = start.FirstOrDefault(z => z.Name == e.Name);
            if (s is null) continue;
            microjoules += e.EnergyMicrojoules >= s.EnergyMicrojoules
                ? e.EnergyMicrojoules - s.EnergyMicrojoules
                : e.MaxRangeMicrojoules - s.EnergyMicrojoules + e.EnergyMicrojoules;
        }
        return microjoules / 1e6;
    }

    private long? ReadCounter(string dir, string file, out string? reason)
    {
        var path = Path.Combine(dir, file);
        var text = TryText(path, out reason);
        if (text is null) return null;
        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        reason = $"{path} does not hold a counter ('{Shorten(text.Trim())}')";
        return null;
    }

    private string? TryText(string path, out string? reason)
    {
        reason = null;
        try
        {
            return _readText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            reason = $"{path} is missing";
        }
        catch (UnauthorizedAccessException)
        {
            // Since Linux 5.10 (Platypus, CVE-2020-8694) energy_uj is readable by root only.
            reason = $"{path} is not readable (permission denied; since Linux 5.10 only root may read it)";
        }
        catch (IOException e)
        {
            reason = $"{path} cannot be read ({e.Message})";
        }
        return null;
    }

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
