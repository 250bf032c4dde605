using System.CommandLine;
using Atelier.Catalog;

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
            var ids = ws.Catalog.SelectIds(Selector.Parse(parse.GetValue(selector)!));
            int changed;
            using (var tx = ws.Catalog.BeginTransaction())
            {
                changed = ws.Catalog.SetExcluded(ids, exclude, exclude ? parse.GetValue(reason) : null);
                tx.Commit();
            }
            if (c.Json(parse)) c.WriteJson(new { images = ids.Count, changed });
            else c.Host.Out.WriteLine($"{(exclude ? "Excluded" : "Included")} {changed} image(s) ({ids.Count} selected)");
            return 0;
        }));
        return command;
    }
}
