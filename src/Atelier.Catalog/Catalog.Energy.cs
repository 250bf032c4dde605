namespace Atelier.Catalog;

/// <summary>
/// Energy and cost of one stage invocation. <c>CpuMethod</c> is "rapl" (measured) or "estimate";
/// money and CO2e are stored with the prices in force when the stage ran.
/// </summary>
public sealed record EnergyRecord(long Id, string Stage, long? RunId, DateTimeOffset StartedAt, double WallSeconds, double CpuSeconds,
    double CpuJoules, string CpuMethod, string? CpuNote, double? GpuJoules, int Gpus, string? GpuNote,
    double Kwh, double Money, string Currency, double Co2Grams, int ExitCode);

public sealed partial class Catalog
{
    public EnergyRecord AddEnergy(EnergyRecord e)
    {
        var id = (long)Scalar(
            "INSERT INTO energy(stage, run_id, started_at, wall_seconds, cpu_seconds, cpu_joules, cpu_method, cpu_note, gpu_joules, gpus, gpu_note, kwh, money, currency, co2_grams, exit_code) " +
            "VALUES($s, $r, $t, $w, $cs, $cj, $cm, $cn, $gj, $g, $gn, $k, $m, $cur, $co2, $x) RETURNING id",
            ("$s", e.Stage), ("$r", e.RunId), ("$t", Time(e.StartedAt)), ("$w", e.WallSeconds), ("$cs", e.CpuSeconds), ("$cj", e.CpuJoules),
            ("$cm", e.CpuMethod), ("$cn", e.CpuNote), ("$gj", e.GpuJoules), ("$g", e.Gpus), ("$gn", e.GpuNote), ("$k", e.Kwh), ("$m", e.Money),
            ("$cur", e.Currency), ("$co2", e.Co2Grams), ("$x", e.ExitCode))!;
        return e with { Id = id };
    }

    /// <summary>Every invocation recorded for a run (its trainings, resumed ones included, and its sampling), oldest first.</summary>
    public IReadOnlyList<EnergyRecord> ListEnergy(long runId) => ReadEnergy("WHERE run_id = $r", ("$r", runId));

    /// <summary>Every invocation recorded in the workspace, oldest first.</summary>
    public IReadOnlyList<EnergyRecord> ListEnergy() => ReadEnergy("");

    /// <summary>Every invocation of one stage, oldest first.</summary>
    public IReadOnlyList<EnergyRecord> ListEnergy(string stage) => ReadEnergy("WHERE stage = $s", ("$s", stage));

    private List<EnergyRecord> ReadEnergy(string where, params (string, object?)[] parameters)
    {
        using var cmd = Cmd("SELECT id, stage, run_id, started_at, wall_seconds, cpu_seconds, cpu_joules, cpu_method, cpu_note, gpu_joules, gpus, gpu_note, " +
            $"kwh, money, currency, co2_grams, exit_code FROM energy {where} ORDER BY id", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<EnergyRecord>();
        while (r.Read())
            list.Add(new EnergyRecord(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), ParseTime(r.GetString(3)), r.GetDouble(4), r.GetDouble(5),
                r.GetDouble(6), r.GetString(7), Str(r, 8), Dbl(r, 9), r.GetInt32(10), Str(r, 11), r.GetDouble(12), r.GetDouble(13), r.GetString(14),
                r.GetDouble(15), r.GetInt32(16)));
        return list;
    }
}
