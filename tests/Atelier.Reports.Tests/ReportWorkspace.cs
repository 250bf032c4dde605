using System.Text.RegularExpressions;
using Atelier.Catalog;
using Atelier.Imaging;
using Atelier.TestSupport;
using Atelier.Training.Reporting;
using Atelier.Training.Runs;

namespace Atelier.Reports.Tests;

/// <summary>
/// A real workspace with runs as the trainer leaves them: a catalog record, metrics.jsonl written through
/// MetricsLog, grid PNGs in grids/, checkpoints and energy rows in the catalog.
/// </summary>
public sealed class ReportWorkspace : IDisposable
{
    private readonly TempWorkspace _temp = new();
    private readonly SnapshotRecord _snapshot;

    public ReportWorkspace()
    {
        var image = _temp.AddImage(new string('a', 64));
        _snapshot = _temp.Catalog.AddSnapshot("faces", "root-hash-0123456789abcdef", "manifest", "all", [image]);
    }

    public Workspace Workspace => _temp.Workspace;
    public string Directory => _temp.Directory;
    public string OutDirectory => Path.Combine(_temp.Directory, "report");

    public RunRecord AddRun(string name, string? configJson = null) =>
        _temp.Catalog.AddRun(name, _snapshot, "dcgan", configJson ?? $$"""{"dataset":"faces","name":"{{name}}","resolution":32,"kimg":0.4,"batch":32}""", "atelier 0.1.0");

    public string RunRoot(string name) => new RunFolder(Workspace, name).Root;

    /// <summary>Ticks every 0.1 kimg up to <paramref name="images"/>; a score every other tick; the cost keys when asked.</summary>
    public void WriteMetrics(RunRecord run, long images, double scoreScale, bool costKeys)
    {
        using var log = new MetricsLog(RunRoot(run.Name), tensorBoard: false);
        for (long i = 100; i <= images; i += 100)
        {
            var values = new Dictionary<string, double> { ["loss/d"] = 1.2 - i / 1000.0, ["loss/g"] = 0.7 + i / 2000.0 };
            if (i % 200 == 0) values["score/pixel_fd"] = scoreScale * 1000.0 / i;
            if (costKeys) { values[SpendSeries.KwhKey] = i * 1e-6; values[SpendSeries.MoneyKey] = i * 3e-7; }
            log.Write(i, values);
        }
        Workspace.Catalog.UpdateRun(run.Id, RunStatus.Finished, images);
    }

    /// <summary>A grid of a distinct flat colour per snapshot, 64x64 like a 2x2 grid of 32 px samples.</summary>
    public IReadOnlyList<byte[]> WriteGrids(RunRecord run, params long[] imagesAt)
    {
        var folder = new RunFolder(Workspace, run.Name);
        folder.Create();
        var written = new List<byte[]>();
        foreach (var images in imagesAt)
        {
            var png = ImageEncoder.EncodePng(RgbaImage.Filled(64, 64, (byte)(images % 251), 90, 200));
            File.WriteAllBytes(Path.Combine(folder.Grids, RunFolder.GridFileName(images)), png);
            written.Add(png);
        }
        return written;
    }

    public void AddCheckpoint(RunRecord run, long images, double? score) =>
        Workspace.Catalog.AddCheckpoint(run.Id, images, new string('c', 64), $"ckpt-{images:000000000}.atc", score);

    public void AddEnergy(RunRecord run, string stage, double kwh, double money, string currency = "EUR") =>
        Workspace.Catalog.AddEnergy(new EnergyRecord(0, stage, run.Id, DateTimeOffset.UtcNow, 12.5, 11, kwh * 3.6e6, "estimate", "TDP 65 W × utilisation",
            null, 0, null, kwh, money, currency, kwh * 475, 0));

    public static string Page(RunReportResult result) => File.ReadAllText(result.Index);

    /// <summary>Every inlined image of the page: its alt text and its decoded pixels.</summary>
    public static IReadOnlyList<(string Alt, RgbaImage Image)> Images(string html) =>
        Regex.Matches(html, "<img[^>]* alt=\"([^\"]*)\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\">")
            .Select(m => (System.Net.WebUtility.HtmlDecode(m.Groups[1].Value), ImageDecoder.Decode(Convert.FromBase64String(m.Groups[2].Value))))
            .ToList();

    public void Dispose() => _temp.Dispose();
}
