using System.CommandLine;
using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Governance;

namespace Atelier.Cli;

public static class TagCommands
{
    public static Command Create(CliContext c)
    {
        var tag = new Command("tag", "Add, remove, count and export tags");
        tag.Subcommands.Add(Change(c, add: true));
        tag.Subcommands.Add(Change(c, add: false));
        tag.Subcommands.Add(Stats(c));
        tag.Subcommands.Add(Export(c));
        return tag;
    }

    internal static Argument<string> SelectorArgument() => new("SELECTOR")
    {
        Description = "Which images: ids (42, 3,7, 10-20), a SHA-256 prefix (sha:9f86d0), or a filter (tag:NAME rating:general source:NAME flag:blurry width>=512 -tag:NAME); 'all' for every image",
    };

    private static Command Change(CliContext c, bool add)
    {
        var selector = SelectorArgument();
        var tags = new Argument<string[]>("TAG") { Description = "Tags; CATEGORY:NAME puts a new tag in that category (general, character, style, meta, ...)", Arity = ArgumentArity.OneOrMore };
        var command = new Command(add ? "add" : "remove", add ? "Add tags to the selected images" : "Remove tags from the selected images") { selector, tags };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var session = GovernanceSession.For(ws);
            var chosen = Selector.Parse(parse.GetValue(selector)!);
            var names = parse.GetValue(tags)!;
            var (selected, changed) = add
                ? Annotations.AddTags(session, chosen, names.Select(n => Tags.Parse(n)).ToList())
                : Annotations.RemoveTags(session, chosen, names.Select(n => Tags.Parse(n).Name).ToList());
            if (c.Json(parse)) c.WriteJson(new { images = selected, changed });
            else c.Host.Out.WriteLine($"{(add ? "Added" : "Removed")} {changed} tag link(s) on {selected} selected image(s)");
            return 0;
        }));
        return command;
    }

    private static Command Stats(CliContext c)
    {
        var where = new Option<string>("--where") { Description = "Only count tags on images matching this selector", DefaultValueFactory = _ => "all" };
        var top = new Option<int>("--top") { Description = "How many tags to list", DefaultValueFactory = _ => 50 };
        var command = new Command("stats", "Tag usage, most used first") { where, top };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var stats = ws.Catalog.TagStatistics(Selector.Parse(parse.GetValue(where)!), parse.GetValue(top));
            if (c.Json(parse)) c.WriteJson(new { tags = stats });
            else foreach (var t in stats) c.Host.Out.WriteLine($"{t.Images,8}  {t.Category}:{t.Name}");
            return 0;
        }));
        return command;
    }

    private static Command Export(CliContext c)
    {
        var selector = SelectorArgument();
        selector.DefaultValueFactory = _ => "all";
        selector.Arity = ArgumentArity.ZeroOrOne;
        var outDir = new Option<string>("--out") { Description = "Folder to write IMAGE.txt sidecars into", Required = true };
        var images = new Option<bool>("--images") { Description = "Also copy each original image next to its sidecar (a kohya-ready folder); needs the reviewer role and passes the policy gate like dataset export" };
        var command = new Command("export", "Write comma-separated tag sidecars (IMAGE.txt, the kohya/booru convention)") { selector, outDir, images };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var result = TagExport.Write(ws, Selector.Parse(parse.GetValue(selector)!), Path.GetFullPath(parse.GetValue(outDir)!, c.Host.CurrentDirectory), parse.GetValue(images));
            if (c.Json(parse))
            {
                c.WriteJson(new { written = result.Written, imagesCopied = result.ImagesCopied, policy = result.Policy });
                return 0;
            }
            c.Host.Out.WriteLine(result.Policy is null
                ? $"Wrote {result.Written} sidecar(s)"
                : $"Wrote {result.Written} sidecar(s) and copied {result.ImagesCopied} original(s); {result.Policy.ViolatingImages} image(s) left out by the policy");
            if (result.Policy is { Clean: false } policy)
                foreach (var line in policy.Lines()) c.Host.Out.WriteLine(line);
            return 0;
        }));
        return command;
    }

    public static Command Rate(CliContext c)
    {
        var selector = SelectorArgument();
        var rating = new Argument<string>("RATING") { Description = "general, sensitive, questionable, explicit, or unrated" };
        rating.AcceptOnlyFromAmong([.. Selector.Ratings, "unrated"]);
        var command = new Command("rate", "Set the content rating of the selected images") { selector, rating };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var value = parse.GetValue(rating) is "unrated" ? null : parse.GetValue(rating);
            var (selected, changed) = Annotations.Rate(GovernanceSession.For(ws), Selector.Parse(parse.GetValue(selector)!), value);
            if (c.Json(parse)) c.WriteJson(new { images = selected, changed, rating = value ?? "unrated" });
            else c.Host.Out.WriteLine($"Rated {changed} image(s) {value ?? "unrated"} ({selected} selected)");
            return 0;
        }));
        return command;
    }
}
