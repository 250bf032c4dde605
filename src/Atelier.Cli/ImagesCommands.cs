using System.CommandLine;
using Atelier.Catalog;
using Atelier.Evaluation.Features;
using Atelier.Hashing;

namespace Atelier.Cli;

public static class ImagesCommands
{
    public static Command Create(CliContext c)
    {
        var images = new Command("images", "List and inspect image records");
        images.Subcommands.Add(List(c));
        images.Subcommands.Add(Show(c));
        images.Subcommands.Add(Features(c));
        images.Subcommands.Add(Similar(c));
        return images;
    }

    private static Command Features(CliContext c)
    {
        var selector = TagCommands.SelectorArgument();
        selector.Arity = ArgumentArity.ZeroOrOne;
        selector.DefaultValueFactory = _ => "all";
        var features = new FeatureOptions();
        var command = new Command("features", "Compute the feature vector (ResNet18 unless --features names another network, as eval takes) of each selected image that has none yet, for `images similar` and the studio's \"more like this\"") { selector };
        features.AddTo(command);
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            using var extractor = FeatureExtractor.Open(features.Network(parse, c));
            var summary = Atelier.Evaluation.ImageFeatureStore.Compute(ws, Selector.Parse(parse.GetValue(selector)!), extractor, null, c.Host.Cancellation);
            foreach (var failure in summary.Failed) c.Host.Error.WriteLine($"atelier: {failure}");
            if (c.Json(parse)) c.WriteJson(summary);
            else c.Host.Out.WriteLine($"Features ({summary.Network}, {extractor.Dimension}-d) of {summary.Computed} images computed, {summary.Already} had them{(summary.Failed.Count > 0 ? $", {summary.Failed.Count} could not be read" : "")}");
            return summary.Failed.Count > 0 ? 1 : 0;
        }));
        return command;
    }

    private static Command Similar(CliContext c)
    {
        var id = new Argument<long>("ID") { Description = "The image to find others like" };
        var k = new Option<int>("--k") { Description = "How many", DefaultValueFactory = _ => 12 };
        var features = new FeatureOptions();
        var command = new Command("similar", "The images most like one image, by the cosine similarity of their features (run `images features` first, with the same --features); excluded images are left out") { id, k };
        features.AddTo(command);
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var network = VectorName(features.Network(parse, c));
            if (parse.GetValue(k) is < 1 or > 1000) throw new AtelierException("usage", "--k is from 1 to 1000");
            _ = ws.Catalog.GetImage(parse.GetValue(id)) ?? throw new AtelierException("unknown-image", $"no image {parse.GetValue(id)}");
            var similar = ws.Catalog.SimilarImages(parse.GetValue(id), network, parse.GetValue(k))
                ?? throw new AtelierException("no-features", $"image {parse.GetValue(id)} has no {network} features yet: run `atelier images features`{(network == FeatureNetwork.DefaultName ? "" : " with the same --features")}");
            if (c.Json(parse)) c.WriteJson(new { image = parse.GetValue(id), network, similar });
            else foreach (var s in similar) c.Host.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{s.Id,8}  {s.Similarity:0.0000}"));
            return 0;
        }));
        return command;
    }

    /// <summary>What the vectors of <paramref name="network"/> are stored under; another network is opened to resolve its input, output and size.</summary>
    private static string VectorName(FeatureNetwork network)
    {
        if (network.BuiltIn) return network.Name;
        using var extractor = FeatureExtractor.Open(network, ExtractorOptions.BatchOneLoop);
        return extractor.VectorName;
    }

    private static Command List(CliContext c)
    {
        var selector = TagCommands.SelectorArgument();
        selector.Arity = ArgumentArity.ZeroOrOne;
        selector.DefaultValueFactory = _ => "all";
        var limit = new Option<int>("--limit") { Description = "At most this many records", DefaultValueFactory = _ => 100 };
        var offset = new Option<long>("--offset") { Description = "Skip this many records first" };
        var command = new Command("list", "One line per selected image") { selector, limit, offset };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var sel = Selector.Parse(parse.GetValue(selector)!);
            var rows = ws.Catalog.ListImages(sel, parse.GetValue(limit), parse.GetValue(offset));
            if (c.Json(parse))
            {
                c.WriteJson(new { total = ws.Catalog.Count(sel), images = rows.Select(ImageJson.Summary) });
                return 0;
            }
            foreach (var r in rows)
                c.Host.Out.WriteLine($"{r.Id,8}  {r.Sha256[..12]}  {r.Format,-4} {r.Width,5}x{r.Height,-5} {r.Rating ?? "unrated",-12} {(r.Excluded ? "excluded " : "")}{r.Source}");
            return 0;
        }));
        return command;
    }

    private static Command Show(CliContext c)
    {
        var selector = TagCommands.SelectorArgument();
        var command = new Command("show", "Each selected image's whole record: hashes, size, provenance, tags, rating, flags") { selector };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var ids = ws.Catalog.SelectIds(Selector.Parse(parse.GetValue(selector)!));
            if (ids.Count == 0) throw new AtelierException("no-match", $"no image matches '{parse.GetValue(selector)}'");
            var details = ids.Take(1000).Select(id => ws.Catalog.GetDetails(id)!).ToList();
            if (c.Json(parse))
            {
                c.WriteJson(new { images = details.Select(ImageJson.Full) });
                return 0;
            }
            foreach (var d in details) WriteText(c.Host.Out, d);
            return 0;
        }));
        return command;
    }

    private static void WriteText(TextWriter o, ImageDetails d)
    {
        var i = d.Image;
        o.WriteLine($"image {i.Id}");
        o.WriteLine($"  sha256       {i.Sha256}");
        o.WriteLine($"  pdq          {PdqHashBytes.ToHex(i.Pdq) ?? "-"} (quality {i.PdqQuality?.ToString() ?? "-"})");
        if (i.PdqDisplayed is not null) o.WriteLine($"  pdq shown    {PdqHashBytes.ToHex(i.PdqDisplayed)} (as displayed: EXIF orientation {i.Orientation})");
        o.WriteLine($"  size         {i.Width}x{i.Height} {i.Format}, {i.SizeBytes} bytes, orientation {i.Orientation}, alpha {(i.HasAlpha ? "yes" : "no")}, icc {(i.HasColorProfile ? "yes" : "no")}, {i.BitsPerChannel}-bit");
        o.WriteLine($"  rating       {i.Rating ?? "unrated"}{(i.Excluded ? $"  EXCLUDED ({i.ExcludeReason})" : "")}");
        o.WriteLine($"  quality      blur {F(i.BlurVariance)}, mean luma {F(i.MeanLuma)}, entropy {F(i.Entropy)}");
        o.WriteLine($"  tags         {string.Join(", ", d.Tags.Select(t => t.Category == Tags.General ? t.Name : $"{t.Category}:{t.Name}"))}");
        o.WriteLine($"  flags        {string.Join(", ", d.Flags.Select(f => f.Detail is null ? f.Flag : $"{f.Flag} ({f.Detail})"))}");
        foreach (var p in d.Provenance)
            o.WriteLine($"  provenance   {p.Source}  {p.License ?? "no licence"}  {p.Origin}{(p.SourceUrl is null ? "" : "  " + p.SourceUrl)}");
        foreach (var n in d.NearDuplicates) o.WriteLine($"  near dup     image {n.OtherId} at distance {n.Distance}");
    }

    private static string F(double? v) => v is null ? "-" : v.Value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The JSON shape of an image record, shared by every command that prints images.</summary>
internal static class ImageJson
{
    public static object Summary(ImageRecord r) => new
    {
        r.Id, r.Sha256, r.Format, r.Width, r.Height, rating = r.Rating ?? "unrated", r.Excluded, r.Source, r.License,
    };

    public static object Full(ImageDetails d)
    {
        var r = d.Image;
        return new
        {
            r.Id, r.Sha256, pdq = PdqHashBytes.ToHex(r.Pdq), r.PdqQuality, pdqDisplayed = PdqHashBytes.ToHex(r.PdqDisplayed), r.SizeBytes, r.Format, r.Width, r.Height, r.Orientation, r.HasAlpha,
            r.HasColorProfile, r.BitsPerChannel, r.Frames, rating = r.Rating ?? "unrated", r.Excluded, r.ExcludeReason, r.CapturedAt,
            quality = new { r.BlurVariance, r.MeanLuma, r.DarkFraction, r.BrightFraction, r.Entropy },
            tags = d.Tags.Select(t => new { t.Name, t.Category }),
            flags = d.Flags,
            provenance = d.Provenance.Select(p => new { p.Source, p.License, p.Origin, p.FileName, p.SourceUrl, p.IngestId, p.AddedAt }),
            nearDuplicates = d.NearDuplicates,
            r.AddedAt,
        };
    }
}
