using System.Globalization;
using System.Text.Json;
using Atelier.Bench.Ingest;
using Atelier.Catalog;
using Atelier.Ingest.Pipeline;

// Ingest benchmark harness (driven by bench/ingest/run.sh).
//   init DIR                              create a fresh workspace (as 'atelier init DIR')
//   ingest DIR SOURCE... [--workers N]    run the ingest pipeline and print the JSON summary
//                                         (stands in for 'atelier ingest --json' while the CLI has no such command)
//   stages FOLDER [passes] [limit]        one-thread time per ingest stage, per file, medians over passes
//   blobs FOLDER [passes] [limit]         blob creation: temporary file + rename against unnamed file + link
//   pdq-scale FOLDER REFERENCE [N...]     PDQ distance to the C++ reference's hashes when JPEGs are DCT-scaled to >= N px (0: full)
var invariant = CultureInfo.InvariantCulture;
switch (args.FirstOrDefault())
{
    case "init" when args.Length == 2:
        using (Workspace.Init(args[1])) { }
        return 0;
    case "ingest" when args.Length >= 3:
    {
        var sources = new List<string>();
        int workers = Environment.ProcessorCount;
        for (int i = 2; i < args.Length; i++)
        {
            if (args[i] == "--workers") workers = int.Parse(args[++i], invariant);
            else sources.Add(Path.GetFullPath(args[i]));
        }

        using var workspace = Workspace.Open(args[1]);
        var summary = await new Ingestion(workspace).RunAsync(new IngestRequest { Sources = sources, Workers = workers });
        Console.WriteLine(JsonSerializer.Serialize(summary));
        // Where a run's time goes besides the stages: garbage collection and CPU time per wall second.
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        Console.Error.WriteLine(string.Create(invariant,
            $"gc pauses {GC.GetTotalPauseDuration().TotalSeconds:F2} s (gen0/1/2: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}), cpu user {self.UserProcessorTime.TotalSeconds:F2} s, kernel {self.PrivilegedProcessorTime.TotalSeconds:F2} s, wall {summary.Seconds:F2} s"));
        return 0;
    }
    case "pdq-scale" when args.Length >= 3:
        PdqScaleAgreement.Run(args[1], args[2], args.Length > 3 ? args[3..].Select(a => int.Parse(a, invariant)).ToArray() : [0, 2048, 1024, 512]);
        return 0;
    case "stages" when args.Length >= 2:
        StageBreakdown.Run(args[1],
            args.Length > 2 ? int.Parse(args[2], invariant) : 3,
            args.Length > 3 ? int.Parse(args[3], invariant) : int.MaxValue);
        return 0;
    case "blobs" when args.Length >= 2:
        BlobWrites.Run(args[1],
            args.Length > 2 ? int.Parse(args[2], invariant) : 5,
            args.Length > 3 ? int.Parse(args[3], invariant) : int.MaxValue);
        return 0;
    default:
        Console.Error.WriteLine("usage: init DIR | ingest DIR SOURCE... [--workers N] | stages FOLDER [passes] [limit] | blobs FOLDER [passes] [limit]");
        return 2;
}
