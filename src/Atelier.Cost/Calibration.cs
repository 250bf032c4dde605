using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Atelier.Catalog;

namespace Atelier.Cost;

/// <summary>The machine a calibration was measured on.</summary>
public sealed record HardwareDescription(string CpuModel, int Cores, string? Gpu, string Atelier, string Os)
{
    /// <summary>Whether two descriptions name the same machine kind (a calibration from another one is not merged in).</summary>
    public bool SameMachine(HardwareDescription other) => CpuModel == other.CpuModel && Cores == other.Cores && Gpu == other.Gpu;

    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{CpuModel}, {Cores} logical cores{(Gpu is null ? ", no GPU" : $", GPU {Gpu}")}");
}

/// <summary>
/// Training speed, memory and power of one model at one resolution on this machine. <see cref="SecondsPerKimg"/> holds one
/// value per repeat; the planner takes the median and the spread (min to max). <see cref="Watts"/> is the average power over
/// the timed steps (CPU from RAPL or the labelled estimate, plus GPU from NVML); <see cref="PowerMethod"/> is "measured" or
/// "estimate". <see cref="Data"/> names the snapshot the steps trained on; null: synthetic noise images (and in files written
/// before it was kept, which timed only those).
/// </summary>
public sealed record CalibrationEntry(string Model, int Resolution, int Batch, string Device, int StepsPerRepeat, IReadOnlyList<double> SecondsPerKimg,
    double StartupSeconds, double SnapshotSeconds, double SnapshotKimg, long PeakRssBytes, bool PeakRssIsOwn,
    double Watts, double CpuWatts, double? GpuWatts, int Gpus, string PowerMethod, string? PowerNote, string? Data = null)
{
    public double MedianSecondsPerKimg
    {
        get
        {
            var s = SecondsPerKimg.Order().ToArray();
            return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        }
    }

    public string DataDescription => Data ?? "synthetic noise images";

    public double MinSecondsPerKimg => SecondsPerKimg.Min();
    public double MaxSecondsPerKimg => SecondsPerKimg.Max();
}

/// <summary>
/// A workspace's calibration: <c>.atelier/calibration.json</c>. Written whole (temp file, rename), merged under a lock so
/// that two calibrations at once keep both's entries; a calibration from another machine replaces the old one.
/// </summary>
public sealed record CalibrationFile(string Format, DateTimeOffset CreatedAt, HardwareDescription Hardware, double TorchLoadSeconds,
    double? LoadAverage, IReadOnlyList<CalibrationEntry> Entries)
{
    public const string FormatId = "atelier.calibration/1";
    public const string FileName = "calibration.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string PathIn(Workspace ws) => System.IO.Path.Combine(ws.DataDirectory, FileName);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The calibration, or null where none was made; a damaged file is a one-line reason, never a crash.</summary>
    public static CalibrationFile? Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        return Parse(text, path);
    }

    public static CalibrationFile Parse(string text, string path)
    {
        CalibrationFile? file;
        try { file = JsonSerializer.Deserialize<CalibrationFile>(text, Json); }
        catch (JsonException e) { throw Damaged(path, e.Message); }
        if (file is null) throw Damaged(path, "it is empty");
        if (file.Format != FormatId) throw Damaged(path, $"its format is '{file.Format}', not {FormatId}");
        if (file.Hardware is null || file.Entries is null) throw Damaged(path, "it lacks the hardware or the entries");
        foreach (var e in file.Entries)
        {
            if (e is null || e.Model is null || e.SecondsPerKimg is null || e.SecondsPerKimg.Count == 0)
                throw Damaged(path, "an entry lacks its model or its timings");
            if (e.SecondsPerKimg.Any(v => !double.IsFinite(v) || v <= 0) || !double.IsFinite(e.Watts) || e.Watts < 0
                || !double.IsFinite(e.StartupSeconds) || e.StartupSeconds < 0 || !double.IsFinite(e.SnapshotSeconds) || e.SnapshotSeconds < 0
                || !double.IsFinite(e.SnapshotKimg) || e.SnapshotKimg <= 0)
                throw Damaged(path, $"the entry for {e.Model} at {e.Resolution} px holds a number no timing can be");
        }
        return file;
    }

    private static AtelierException Damaged(string path, string why) =>
        new("bad-calibration", $"{path} is not a usable calibration ({why}); run `atelier cost calibrate` again");

    /// <summary>
    /// Saves <paramref name="measured"/>: entries of the same model, resolution, batch and device replace the old ones; others
    /// measured on the same machine are kept (a damaged or foreign file is replaced).
    /// </summary>
    public static CalibrationFile Save(Workspace ws, CalibrationFile measured, CancellationToken cancellation = default)
    {
        var path = PathIn(ws);
        using var held = FileLock.Take(path + ".lock", cancellation);
        CalibrationFile? old;
        try { old = Load(path); }
        catch (AtelierException) { old = null; }
        var entries = new List<CalibrationEntry>();
        if (old is not null && old.Hardware.SameMachine(measured.Hardware))
            entries.AddRange(old.Entries.Where(o => !measured.Entries.Any(n => n.Model == o.Model && n.Resolution == o.Resolution && n.Batch == o.Batch && n.Device == o.Device)));
        entries.AddRange(measured.Entries);
        var merged = measured with { Entries = entries.OrderBy(e => e.Model, StringComparer.Ordinal).ThenBy(e => e.Resolution).ThenBy(e => e.Batch).ToList() };
        AtomicFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(merged.ToJson()));
        return merged;
    }
}
