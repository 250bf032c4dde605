using System.CommandLine;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Imaging;

namespace Atelier.Cli;

public static class DatasetCommands
{
    public static Command Create(CliContext c)
    {
        var dataset = new Command("dataset", "Immutable dataset snapshots and their export as training data");
        dataset.Subcommands.Add(CreateSnapshot(c));
        dataset.Subcommands.Add(List(c));
        dataset.Subcommands.Add(Show(c));
        dataset.Subcommands.Add(Export(c));
        return dataset;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "Dataset (snapshot) name" };

    private static Command CreateSnapshot(CliContext c)
    {
        var name = NameArgument();
        var where = new Option<string>("--where") { Description = "Selector of the images to freeze (default: all); excluded images are always left out" };
        var command = new Command("create", "Freeze the selected images, their tags and ratings into an immutable snapshot") { name, where };
        command.SetAction(parse => c.WithWorkspace(parse, ws => PolicyCommands.Gated(c, parse, () =>
        {
            var (record, _, report) = Snapshots.Create(ws, parse.GetValue(name)!, parse.GetValue(where));
            if (c.Json(parse))
                c.WriteJson(new { record.Id, record.Name, record.RootHash, record.ManifestSha256, record.Filter, record.ImageCount, record.CreatedAt, policy = report });
            else
            {
                c.Host.Out.WriteLine($"Created dataset {record.Name}: {record.ImageCount} images, root {record.RootHash}");
                // The report says which images the policy left out and why; a clean one is a single summary line.
                foreach (var line in report.Lines()) c.Host.Out.WriteLine(line);
            }
            return 0;
        })));
        return command;
    }

    private static Command List(CliContext c)
    {
        var command = new Command("list", "All snapshots");
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var all = ws.Catalog.ListSnapshots();
            if (c.Json(parse)) c.WriteJson(new { datasets = all });
            else foreach (var s in all) c.Host.Out.WriteLine($"{s.Name,-24} {s.ImageCount,8} images  {s.RootHash[..16]}  {s.CreatedAt:u}  {s.Filter}");
            return 0;
        }));
        return command;
    }

    private static Command Show(CliContext c)
    {
        var name = NameArgument();
        var command = new Command("show", "A snapshot's record, verified against its manifest, with tag and rating counts") { name };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var (record, manifest) = Snapshots.Load(ws, parse.GetValue(name)!);
            var ratings = manifest.Items.GroupBy(i => i.Rating ?? "unrated").ToDictionary(g => g.Key, g => g.Count());
            var tags = manifest.Items.SelectMany(i => i.Tags).GroupBy(t => $"{t.Category}:{t.Name}").OrderByDescending(g => g.Count()).Take(20)
                .ToDictionary(g => g.Key, g => g.Count());
            if (c.Json(parse))
            {
                c.WriteJson(new { dataset = record, verified = true, ratings, topTags = tags, policy = manifest.Metadata.Where(kv => kv.Key.StartsWith("policy.", StringComparison.Ordinal)).ToDictionary() });
                return 0;
            }
            c.Host.Out.WriteLine($"dataset {record.Name}: {record.ImageCount} images, created {record.CreatedAt:u}");
            c.Host.Out.WriteLine($"  root hash  {record.RootHash} (verified)");
            c.Host.Out.WriteLine($"  manifest   blob {record.ManifestSha256}");
            c.Host.Out.WriteLine($"  filter     {record.Filter}");
            if (manifest.Metadata.TryGetValue(Snapshots.PolicySha256Key, out var policySha))
                c.Host.Out.WriteLine($"  policy     {manifest.Metadata.GetValueOrDefault(Snapshots.PolicyNameKey)} revision {manifest.Metadata.GetValueOrDefault(Snapshots.PolicyRevisionKey)} (sha256 {policySha})");
            c.Host.Out.WriteLine($"  ratings    {string.Join(", ", ratings.Select(kv => $"{kv.Key} {kv.Value}"))}");
            c.Host.Out.WriteLine($"  top tags   {string.Join(", ", tags.Select(kv => $"{kv.Key} {kv.Value}"))}");
            return 0;
        }));
        return command;
    }

    private static Command Export(CliContext c)
    {
        var name = NameArgument();
        var resolution = new Option<int>("--resolution") { Description = "Square output size in pixels", Required = true };
        var fit = new Option<string>("--fit") { Description = "crop (centre square) or pad (letterbox)", DefaultValueFactory = _ => "crop" };
        fit.AcceptOnlyFromAmong("crop", "pad");
        var format = new Option<string>("--format") { Description = "shards (memory-mappable uint8, for Atelier's trainer), folder (PNG + .txt sidecars) or webdataset (tar shards)", DefaultValueFactory = _ => "shards" };
        format.AcceptOnlyFromAmong("shards", "folder", "webdataset");
        var background = new Option<string>("--background") { Description = "Colour that alpha is composited on and padding filled with, #rrggbb", DefaultValueFactory = _ => "#ffffff" };
        var outDir = new Option<string>("--out") { Description = "Output folder (must not hold another export)", Required = true };
        var command = new Command("export", "Write a snapshot as training data") { name, resolution, fit, format, background, outDir };
        command.SetAction(parse => c.WithWorkspace(parse, ws => Metering.Metered(c, ws, "export", _ =>
        {
            var request = new DatasetExportRequest(
                parse.GetValue(name)!,
                Path.GetFullPath(parse.GetValue(outDir)!, c.Host.CurrentDirectory),
                parse.GetValue(resolution),
                parse.GetValue(fit) == "pad" ? FitMode.Pad : FitMode.Crop,
                ParseColour(parse.GetValue(background)!),
                parse.GetValue(format) switch { "folder" => ExportFormat.Folder, "webdataset" => ExportFormat.WebDataset, _ => ExportFormat.Shards });
            return PolicyCommands.Gated(c, parse, () =>
            {
                var result = DatasetExport.Run(ws, request, c.Host.Cancellation);
                if (c.Json(parse)) c.WriteJson(result);
                else c.Host.Out.WriteLine($"Exported {result.Images} images of {request.Name} to {result.OutputDirectory} in {result.Seconds:0.0} s");
                return 0;
            });
        })));
        return command;
    }

    private static Rgb ParseColour(string text)
    {
        var hex = text.TrimStart('#');
        if (hex.Length != 6 || !int.TryParse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v))
            throw new AtelierException("bad-colour", $"'{text}' is not a colour; use #rrggbb");
        return new Rgb((byte)(v >> 16), (byte)(v >> 8), (byte)v);
    }
}
