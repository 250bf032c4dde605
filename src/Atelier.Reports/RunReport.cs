using System.Text;
using Atelier.Catalog;

namespace Atelier.Reports;

/// <summary>What <see cref="RunReport.Write(Workspace, IReadOnlyList{string}, string, DateTimeOffset)"/> wrote.</summary>
public sealed record RunReportResult(string Index, IReadOnlyList<string> Runs, IReadOnlyList<string> Plots);

/// <summary>
/// <c>atelier report run</c>: one self-contained page, DIR/index.html, for one or more runs side by side. The page
/// is written to a temporary file and renamed into place, so a killed report leaves the previous page (or none),
/// never half of one, and two reports into the same folder each leave a whole page.
/// </summary>
public static class RunReport
{
    public const string IndexFileName = "index.html";

    public static RunReportResult Write(Workspace workspace, IReadOnlyList<string> runNames, string outDirectory, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(runNames);
        if (runNames.Count == 0) throw new AtelierException("usage", "name at least one run to report on (see `atelier runs list`)");
        // Every run is looked up before anything is written: an unknown one is refused with nothing changed.
        var runs = runNames.Distinct(StringComparer.Ordinal).Select(n => ReportedRun.Load(workspace, n)).ToList();
        return Write(runs, outDirectory, generatedAt);
    }

    public static RunReportResult Write(IReadOnlyList<ReportedRun> runs, string outDirectory, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDirectory);
        var (html, plots) = ReportPage.Build(runs, generatedAt);
        var index = Path.Combine(Path.GetFullPath(outDirectory), IndexFileName);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(index)!);
            AtomicFile.WriteAllBytes(index, Encoding.UTF8.GetBytes(html));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AtelierException("report-unwritable", $"cannot write the report to {outDirectory}: {e.Message.ReplaceLineEndings(" ")}");
        }
        return new RunReportResult(index, runs.Select(r => r.Run.Name).ToList(), plots);
    }
}
