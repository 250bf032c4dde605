using System.CommandLine;
using Atelier.Catalog;
using Atelier.Governance.Policy;
using Atelier.Reports;

namespace Atelier.Cli;

public static class ReportCommand
{
    public static Command Create(CliContext c)
    {
        var rejections = new Option<int>("--rejections") { Description = "List up to this many rejected inputs (and as many skipped files)", DefaultValueFactory = _ => 20 };
        var command = new Command("report", "Counts by source, tag, rating, flag and rejection reason; duplicate clusters; quality histograms") { rejections };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var report = ws.Catalog.Report();
            var rejected = ws.Catalog.Rejections(limit: parse.GetValue(rejections));
            var skipped = ws.Catalog.SkippedFiles(limit: parse.GetValue(rejections));
            var unrated = Unrated(ws);
            if (c.Json(parse))
            {
                c.WriteJson(new { report, rejections = rejected, skipped, unrated });
                return 0;
            }
            var o = c.Host.Out;
            o.WriteLine($"{report.Images} images ({report.Excluded} excluded), {report.TotalBytes / 1024.0 / 1024.0:0.#} MiB, {report.ExactDuplicateCopies} exact duplicate copies");
            var g = report.Governance;
            o.WriteLine($"governance: {g.Quarantined} quarantined, {g.Subjects} subjects, {g.ActiveConsents} active and {g.RevokedConsents} revoked consents, " +
                        $"tainted {g.TaintedSnapshots} snapshots / {g.TaintedRuns} runs / {g.TaintedCheckpoints} checkpoints, {g.AuditEntries} audit entries");
            Section(o, "by source", report.BySource);
            Section(o, "by rating", report.ByRating);
            if (unrated.Count > 0)
                o.WriteLine($"unrated: {unrated.Count} images ({string.Join(",", unrated.First)}{(unrated.Count > unrated.First.Count ? ",..." : "")}); " +
                            (unrated.RequiredByPolicy
                                ? "the policy requires a rating before a snapshot, export or training"
                                : "the policy does not require one (require-rating: false), so the consent rule cannot see what they show") +
                            $"; fix: {unrated.Fix}");
            Section(o, "by format", report.ByFormat);
            Section(o, "by flag", report.ByFlag);
            Section(o, "rejected, by reason", report.RejectionsByCode);
            if (report.SkippedByExtension.Count > 0)
            {
                o.WriteLine("skipped (not images this Atelier reads), by extension");
                foreach (var k in report.SkippedByExtension) o.WriteLine($"  {k.Files,8}  {k.Extension,-10} {k.Reason}");
            }
            Section(o, "tag categories", report.TagsByCategory);
            o.WriteLine("top tags");
            foreach (var t in report.TopTags) o.WriteLine($"  {t.Images,8}  {t.Category}:{t.Name}");
            o.WriteLine($"near-duplicate clusters: {report.NearDuplicateClusters.Count}");
            foreach (var cl in report.NearDuplicateClusters.Take(10))
                o.WriteLine($"  {cl.ImageIds.Count} images (max distance {cl.MaxDistance}): {string.Join(",", cl.ImageIds.Take(12))}{(cl.ImageIds.Count > 12 ? ",..." : "")}");
            foreach (var (name, bins) in report.Histograms)
            {
                o.WriteLine($"histogram {name}");
                var max = Math.Max(1, bins.Count == 0 ? 1 : bins.Max(b => b.Count));
                foreach (var b in bins) o.WriteLine($"  {b.From,9:0.##} – {b.To,-9:0.##} {b.Count,8} {new string('#', (int)Math.Ceiling(30.0 * b.Count / max))}");
            }
            if (rejected.Count > 0)
            {
                o.WriteLine("rejections");
                foreach (var r in rejected) o.WriteLine($"  {r.Code,-20} {r.Origin}: {r.Message}");
            }
            if (skipped.Count > 0)
            {
                o.WriteLine("skipped");
                foreach (var k in skipped) o.WriteLine($"  {k.Reason,-20} {k.Origin}: {k.Message}");
            }
            return 0;
        }));
        command.Subcommands.Add(Run(c));
        return command;
    }

    /// <summary><c>report run RUN [RUN2 ...] --out DIR</c>: a thin shell over Atelier.Reports.</summary>
    private static Command Run(CliContext c)
    {
        var runs = new Argument<string[]>("RUN") { Description = "Runs to report on, side by side", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Folder the page (index.html, images inlined) is written to", Required = true };
        var command = new Command("run", "One HTML page for runs side by side: scores against kimg, kWh and money, losses, sample grids over time, cost, configuration")
        {
            runs, output,
        };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var result = RunReport.Write(ws, parse.GetValue(runs)!, Path.GetFullPath(parse.GetValue(output)!, c.Host.CurrentDirectory), DateTimeOffset.UtcNow);
            if (c.Json(parse)) c.WriteJson(result);
            else c.Host.Out.WriteLine($"Report on {string.Join(", ", result.Runs)}: {result.Index} ({result.Plots.Count} plots)");
            return 0;
        }));
        return command;
    }

    /// <summary>Images nobody has rated yet: the strict policy keeps them out of snapshots, so the report names them and the fix.</summary>
    private sealed record UnratedImages(long Count, IReadOnlyList<long> First, string Selector, bool RequiredByPolicy, string Fix);

    private static UnratedImages Unrated(Workspace ws)
    {
        var selector = Selector.Parse("rating:unrated");
        var count = ws.Catalog.Count(selector);
        var first = count == 0 ? [] : ws.Catalog.ListImages(selector, limit: 10).Select(i => i.Id).ToList();
        return new UnratedImages(count, first, selector.Text, PolicyFile.Load(ws).RequireRating,
            $"atelier rate {selector.Text} RATING, or image by image: atelier rate SELECTOR general|sensitive|questionable|explicit");
    }

    private static void Section(TextWriter o, string title, IReadOnlyDictionary<string, long> counts)
    {
        if (counts.Count == 0) return;
        o.WriteLine(title);
        foreach (var (k, v) in counts) o.WriteLine($"  {v,8}  {k}");
    }
}
