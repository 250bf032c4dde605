using System.CommandLine;
using Atelier.Catalog;
using Atelier.Governance;

namespace Atelier.Cli;

public static partial class CurationCommands
{
    public static Command Exclude(CliContext c, bool exclude)
    {
        var selector = TagCommands.SelectorArgument();
        var reason = new Option<string>("--reason") { Description = "Why (kept with the image)", Required = exclude };
        var command = exclude
            ? new Command("exclude", "Take the selected images out of future snapshots") { selector, reason }
            : new Command("include", "Put excluded images back into future snapshots") { selector };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var session = GovernanceSession.For(ws);
            var chosen = Selector.Parse(parse.GetValue(selector)!);
            var (selected, changed) = exclude ? Annotations.Exclude(session, chosen, parse.GetValue(reason)!) : Annotations.Include(session, chosen);
            if (c.Json(parse)) c.WriteJson(new { images = selected, changed });
            else c.Host.Out.WriteLine($"{(exclude ? "Excluded" : "Included")} {changed} image(s) ({selected} selected)");
            return 0;
        }));
        return command;
    }
}

public static partial class CurationCommands
{
    public static Command Curate(CliContext c)
    {
        var command = new Command("curate", "Flag images by quality thresholds (config.json 'curation') and find near duplicates by PDQ");
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var summary = new Atelier.Curation.Curator(ws).Run();
            if (c.Json(parse))
            {
                c.WriteJson(summary);
                return 0;
            }
            if (summary.PdqRehashed + summary.PdqUnreadable > 0)
                c.Host.Out.WriteLine($"Re-hashed {summary.PdqRehashed} images whose PDQ hash an older pipeline computed" +
                                     (summary.PdqUnreadable > 0 ? $" ({summary.PdqUnreadable} kept their old hash: blob missing or unreadable)" : "") +
                                     (summary.Quarantined > 0 ? $"; {summary.Quarantined} now match a blocklist and were quarantined" : ""));
            c.Host.Out.WriteLine($"Curated {summary.Images} images: {summary.NearDuplicatePairs} near-duplicate pairs in {summary.NearDuplicateClusters} clusters");
            foreach (var (flag, count) in summary.Flagged.OrderByDescending(kv => kv.Value))
                c.Host.Out.WriteLine($"  {count,8}  {flag}");
            c.Host.Out.WriteLine("Flagged images stay in snapshots until you exclude them, e.g. atelier exclude flag:blurry --reason blurry");
            return 0;
        }));
        return command;
    }
}
