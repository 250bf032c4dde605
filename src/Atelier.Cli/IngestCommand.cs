using System.CommandLine;
using Atelier.Catalog;
using Atelier.Ingest;
using Atelier.Ingest.Metadata;
using Atelier.Ingest.Pipeline;
using Spectre.Console;

namespace Atelier.Cli;

public static class IngestCommand
{
    public static Command Create(CliContext c)
    {
        var sources = new Argument<string[]>("SOURCE") { Description = "Folders, .zip/.tar/.tar.gz/.tgz archives, URL lists (.txt, .csv, .jsonl) or http(s) URLs", Arity = ArgumentArity.OneOrMore };
        var source = new Option<string>("--source") { Description = "Provenance source name (default: the folder, archive or list name)" };
        var license = new Option<string>("--license") { Description = "SPDX licence id for images whose metadata names none" };
        var metadata = new Option<string>("--metadata") { Description = "Manifest file name in the folder/archive root keyed by file name (e.g. emoji.json); metadata.jsonl and metadata.csv are always read" };
        var map = new Option<string[]>("--map")
        {
            Description = "Metadata mapping rule, repeatable: tags:FIELD=CATEGORY, rating=FIELD, license=FIELD, source_url=FIELD, captured=FIELD, file=FIELD",
            AllowMultipleArgumentsPerToken = false,
        };
        var workers = new Option<int>("--workers") { Description = "Decode/hash threads (default: one per core)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("ingest", "Add images with their provenance; re-running continues where it stopped") { sources, source, license, metadata, map, workers };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            MetadataMapping mapping;
            try
            {
                mapping = MetadataMapping.Parse(parse.GetValue(map) ?? []);
            }
            catch (SourceException e)
            {
                throw new AtelierException(e.Code, e.Message);
            }
            var request = new IngestRequest
            {
                Sources = parse.GetValue(sources)!.Select(s => s.Contains("://", StringComparison.Ordinal) ? s : Path.GetFullPath(s, c.Host.CurrentDirectory)).ToList(),
                SourceName = parse.GetValue(source),
                License = parse.GetValue(license),
                ManifestFileName = parse.GetValue(metadata),
                Mapping = mapping,
                Workers = Math.Max(1, parse.GetValue(workers)),
            };
            var ingestion = new Ingestion(ws);
            var summary = c.Host.Interactive && !c.Json(parse)
                ? WithProgressBar(ingestion, request, c.Host.Cancellation)
                : ingestion.RunAsync(request, null, c.Host.Cancellation).GetAwaiter().GetResult();
            if (c.Json(parse)) c.WriteJson(summary);
            else WriteSummary(c.Host.Out, summary);
            if (!summary.Interrupted) return 0;
            c.Host.Error.WriteLine("atelier: interrupted; what was read is committed, run the same command again to continue");
            return 130;
        }));
        return command;
    }

    private static IngestSummary WithProgressBar(Ingestion ingestion, IngestRequest request, CancellationToken cancellation)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("ingest", maxValue: double.MaxValue);
                task.IsIndeterminate = true;
                var progress = new Progress<IngestProgress>(p =>
                    task.Description = $"seen {p.Seen}  added {p.Added}  duplicates {p.Duplicates}  rejected {p.Rejected}");
                return ingestion.RunAsync(request, progress, cancellation).GetAwaiter().GetResult();
            });
    }

    private static void WriteSummary(TextWriter o, IngestSummary s)
    {
        o.WriteLine($"Ingest {s.IngestId} {(s.Interrupted ? "interrupted (run it again to continue)" : "finished")} in {s.Seconds:0.0} s");
        o.WriteLine($"  added              {s.Added}");
        o.WriteLine($"  exact duplicates   {s.ExactDuplicates}");
        o.WriteLine($"  near duplicates    {s.NearDuplicates}");
        o.WriteLine($"  opted out          {s.OptedOut}");
        o.WriteLine($"  quarantined        {s.Quarantined}");
        o.WriteLine($"  already done       {s.AlreadyDone}");
        o.WriteLine($"  rejected           {s.Rejected}");
        foreach (var (code, n) in s.RejectedByReason) o.WriteLine($"    {n,6}  {code}");
        if (s.Rejected + s.OptedOut > 0) o.WriteLine("  (atelier report lists each rejected input with its reason)");
    }
}
