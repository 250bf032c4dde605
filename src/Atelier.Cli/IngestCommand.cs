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
        var metadata = new Option<string>("--metadata")
        {
            Description = "Manifest keyed by file name: a file anywhere (absolute or relative to the current folder), else a name looked for in each folder's/archive's root (e.g. emoji.json); metadata.jsonl and metadata.csv in the root are always read",
        };
        var map = new Option<string[]>("--map")
        {
            Description = "Metadata mapping rule, repeatable: tags:FIELD=CATEGORY, rating=FIELD, license=FIELD, source_url=FIELD, captured=FIELD, file=FIELD",
            AllowMultipleArgumentsPerToken = false,
        };
        var workers = new Option<int>("--workers") { Description = "Decode/hash threads (default: one per core)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("ingest", "Add images with their provenance; re-running continues where it stopped") { sources, source, license, metadata, map, workers };
        command.SetAction(parse => c.WithWorkspace(parse, ws => Metering.Metered(c, ws, "ingest", _ =>
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
            var sourceList = parse.GetValue(sources)!.Select(s => s.Contains("://", StringComparison.Ordinal) ? s : Path.GetFullPath(s, c.Host.CurrentDirectory)).ToList();
            var (manifestPath, manifestName) = ResolveManifest(parse.GetValue(metadata), sourceList, c.Host.CurrentDirectory);
            var request = new IngestRequest
            {
                Sources = sourceList,
                SourceName = parse.GetValue(source),
                License = parse.GetValue(license),
                ManifestFileName = manifestName,
                ManifestPath = manifestPath,
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
        })));
        return command;
    }

    /// <summary>
    /// <c>--metadata X</c>: a file X (absolute, or relative to the current folder) is read wherever it lives, unless X is a bare
    /// name that a source folder holds in its root (then that copy is each source's own, as before). A bare name that is
    /// neither here nor in any source folder's root is refused, unless an archive among the sources may hold it.
    /// </summary>
    private static (string? Path, string? Name) ResolveManifest(string? value, IReadOnlyList<string> sources, string currentDirectory)
    {
        if (string.IsNullOrWhiteSpace(value)) return (null, null);
        var bare = value.IndexOfAny(['/', '\\']) < 0;
        bool InSomeRoot() => sources.Any(s => Directory.Exists(s) && File.Exists(Path.Combine(s, value)));
        if (bare && InSomeRoot()) return (null, value);
        var full = Path.GetFullPath(value, currentDirectory);
        if (File.Exists(full)) return (full, null);
        if (Directory.Exists(full)) throw new AtelierException("bad-manifest", $"--metadata {value}: '{full}' is a folder; name the manifest file");
        if (bare && sources.Any(s => File.Exists(s) && !s.EndsWith(".txt", StringComparison.OrdinalIgnoreCase)
                && !s.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && !s.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)))
            return (null, value); // an archive's root may hold it: the summary says whether one did
        throw new AtelierException("manifest-not-found",
            $"--metadata {value}: no such file ('{full}'){(bare ? " and no source folder holds one by that name in its root" : "")}");
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
        o.WriteLine($"  skipped            {s.Skipped}{(s.Skipped > 0 ? " (not images this Atelier reads)" : "")}");
        foreach (var g in s.SkippedByExtension) o.WriteLine($"    {g.Files,6}  {g.Extension,-10} {g.Reason}");
        foreach (var m in s.Manifests)
            o.WriteLine($"  manifest {m.Manifest}: matched {m.MatchedFiles} files, {m.UnmatchedRows} of its {m.Rows} rows matched nothing" +
                        (m.BadRows > 0 ? $", {m.BadRows} rows cannot be read" : ""));
        if (s.ManifestNotFound is { } missing)
            o.WriteLine($"  manifest {missing}: not found in the root of any source; their files came in without it");
        if (s.Rejected + s.OptedOut + s.Skipped > 0) o.WriteLine("  (atelier report lists each rejected and skipped input with its reason)");
    }
}
