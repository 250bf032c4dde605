using System.Globalization;
using Atelier.Catalog;
using Atelier.Training.Reporting;
using Atelier.Training.Runs;

namespace Atelier.Reports;

/// <summary>A sample grid the trainer wrote at a snapshot: grids/grid-XXXX.Xkimg.png.</summary>
public sealed record GridSnapshot(double Kimg, string Path);

/// <summary>
/// Everything a report shows of one run, read from the catalog and the run's folder; nothing is written.
/// <paramref name="Currency"/> is the currency the run's money figures are in.
/// </summary>
public sealed record ReportedRun(RunRecord Run, string Dataset, IReadOnlyList<MetricsRow> Metrics, IReadOnlyList<CheckpointRecord> Checkpoints,
    IReadOnlyList<EnergyRecord> Energy, IReadOnlyList<GridSnapshot> Grids, string Currency)
{
    public static ReportedRun Load(Workspace workspace, string name)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var run = workspace.Catalog.GetRun(name) ?? throw new AtelierException("unknown-run", $"no run named '{name}' (see `atelier runs list`)");
        var folder = new RunFolder(workspace, run.Name);
        var energy = workspace.Catalog.ListEnergy(run.Id);
        // Money rows carry the currency they were priced in; a run with none is priced (by the trainer's cost/money) in the workspace's.
        var currency = energy.Where(e => e.Stage == "train").Select(e => e.Currency).FirstOrDefault() ?? workspace.Config.Cost.Currency;
        return new ReportedRun(run, DatasetOf(run), MetricsLog.Read(Path.Combine(folder.Root, MetricsLog.FileName)), workspace.Catalog.ListCheckpoints(run.Id),
            energy, ListGrids(folder.Grids), currency);
    }

    /// <summary>The grids in a run's grids/ folder, oldest first; files not named by the trainer are left out.</summary>
    public static IReadOnlyList<GridSnapshot> ListGrids(string gridsFolder)
    {
        if (!Directory.Exists(gridsFolder)) return [];
        var grids = new List<GridSnapshot>();
        foreach (var path in Directory.EnumerateFiles(gridsFolder, "grid-*kimg.png"))
        {
            var stem = Path.GetFileName(path)["grid-".Length..^"kimg.png".Length];
            if (double.TryParse(stem, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var kimg)) grids.Add(new GridSnapshot(kimg, path));
        }
        return grids.OrderBy(g => g.Kimg).ToList();
    }

    /// <summary>The run's "dataset" setting; empty where the stored configuration does not name one.</summary>
    private static string DatasetOf(RunRecord run)
    {
        try
        {
            using var config = System.Text.Json.JsonDocument.Parse(run.Config);
            return config.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && config.RootElement.TryGetProperty("dataset", out var d)
                && d.ValueKind == System.Text.Json.JsonValueKind.String ? d.GetString()! : "";
        }
        catch (System.Text.Json.JsonException)
        {
            return "";
        }
    }
}
