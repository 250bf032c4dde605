using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.TestSupport;
using Microsoft.Data.Sqlite;

namespace Atelier.Cli.Tests;

/// <summary>
/// Eight workers, each running real <c>atelier</c> processes one after another for 30 s, writing to
/// one workspace at once: ingest (two of them into the same images), tag, rate, exclude/include,
/// dataset create, train (two of them into one new export and one run name at once) and sample.
/// Every command must succeed, or fail with exactly one line on stderr and exit 1; every write a
/// command reported as done must be there at the end; the audit chain and the SQLite file must be sound.
/// </summary>
[Collection(nameof(ConcurrentCommandsTests))]
public class ConcurrentCommandsTests
{
    private static readonly TimeSpan MixedWrites = TimeSpan.FromSeconds(30);
    private const int BaseImages = 48;

    private sealed record Attempt(int Worker, IReadOnlyList<string> Args, CliResult Result)
    {
        public override string ToString() => $"worker {Worker}: atelier {string.Join(' ', Args)} exited {Result.Code}: {Result.Error.Trim()}";
    }

    private static readonly string[] Tiny = ["--resolution", "32", "--kimg", "0.032", "--batch", "16", "--snapshot-kimg", "0.032", "--device", "cpu", "--json"];

    [Fact]
    public async Task EightProcessesWritingAtOnceLoseNothingAndEveryFailureIsOneLine()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cli = new CliRunner();
        using var files = new TempDir();
        var ws = Path.Combine(cli.Directory, "ws");
        for (var i = 0; i < BaseImages; i++) files.Write($"base/{i:000}.png", SyntheticImages.Png(64, 64, i));
        for (var i = 0; i < 24; i++) files.Write($"shared/{i:000}.png", SyntheticImages.Png(48, 48, 500 + i));
        cli.Ok("init", ws);
        cli.Ok("ingest", Path.Combine(files.Path, "base"), "--workspace", ws, "--source", "stress", "--license", "CC0-1.0");
        cli.Ok("rate", "all", "general", "--workspace", ws); // the policy wants every image of a snapshot rated
        cli.Ok("dataset", "create", "base", "--workspace", ws);
        // Not exported yet: the two trainers' first runs both need its export at the same moment.
        cli.Ok("dataset", "create", "fresh", "--where", "1-40", "--workspace", ws);
        // A process of its own, as the workers' are (libtorch state is per process).
        var r0 = await AtelierProcess.RunAsync(["train", "--dataset", "base", "--name", "r0", "--workspace", ws, .. Tiny], ct);
        Assert.True(r0.Code == 0, $"training r0 to sample from: {r0.Error}");

        var log = new ConcurrentQueue<Attempt>();
        var ingested = new ConcurrentBag<string>();                        // SHA-256 of every file of an acknowledged ingest
        var tagged = new ConcurrentBag<(long Id, string Tag)>();
        var ratings = new ConcurrentQueue<(long Id, string Rating, bool Acknowledged)>();  // in the order issued (one worker)
        var exclusions = new ConcurrentQueue<(long Id, bool Excluded, bool Acknowledged)>();
        var snapshots = new ConcurrentBag<(string Name, string Root)>();
        var runs = new ConcurrentBag<string>();
        var samples = new ConcurrentBag<(long Seed, string Folder)>();
        var until = DateTime.UtcNow + MixedWrites;

        async Task<CliResult> Run(int worker, params string[] args)
        {
            var result = await AtelierProcess.RunAsync([.. args, "--workspace", ws], ct);
            log.Enqueue(new Attempt(worker, args, result));
            return result;
        }

        async Task Ingest(int worker)
        {
            for (var k = 0; k == 0 || DateTime.UtcNow < until; k++)
            {
                var folder = Path.Combine(files.Path, $"w{worker}-{k}");
                for (var j = 0; j < 4; j++) files.Write($"w{worker}-{k}/{j}.png", SyntheticImages.Png(64, 64, 10_000 * (worker + 1) + 10 * k + j));
                var shared = Path.Combine(files.Path, "shared");
                if ((await Run(worker, "ingest", folder, shared, "--source", "stress", "--license", "CC0-1.0", "--json")).Code != 0) continue;
                foreach (var file in Directory.GetFiles(folder).Concat(Directory.GetFiles(shared)))
                    ingested.Add(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
            }
        }

        async Task Tag(int worker)
        {
            for (var k = 0; k == 0 || DateTime.UtcNow < until; k++)
            {
                long id = 1 + k % BaseImages;
                var tag = $"w{worker}n{k}";
                if ((await Run(worker, "tag", "add", Id(id), tag, "--json")).Code == 0) tagged.Add((id, tag));
            }
        }

        async Task Rate(int worker)
        {
            for (var k = 0; k == 0 || DateTime.UtcNow < until; k++)
            {
                long id = 1 + k * 7 % BaseImages;
                var rating = k % 2 == 0 ? "sensitive" : "general";
                ratings.Enqueue((id, rating, (await Run(worker, "rate", Id(id), rating, "--json")).Code == 0));
            }
        }

        async Task Exclude(int worker)
        {
            for (var k = 0; k == 0 || DateTime.UtcNow < until; k++)
            {
                long id = 41 + k % 8;
                var exclude = k / 8 % 2 == 0;
                var result = exclude ? await Run(worker, "exclude", Id(id), "--reason", "stress", "--json") : await Run(worker, "include", Id(id), "--json");
                exclusions.Enqueue((id, exclude, result.Code == 0));
            }
        }

        async Task CreateDatasets(int worker)
        {
            for (var k = 0; k == 0 || DateTime.UtcNow < until; k++)
            {
                var name = $"d{worker}-{k}";
                var result = await Run(worker, "dataset", "create", name, "--where", $"1-{8 + k % 40}", "--json");
                if (result.Code == 0) snapshots.Add((name, result.Json.GetProperty("rootHash").GetString()!));
            }
        }

        async Task Train(int worker, bool alsoSample)
        {
            // Both trainers start with the same new export and the same run name: one run gets the name.
            var first = await Run(worker, ["train", "--dataset", "fresh", "--name", "clash", .. Tiny]);
            if (first.Code == 0) runs.Add("clash");
            for (var k = 0; k == 0 || DateTime.UtcNow < until; k++)
            {
                if (alsoSample && k % 2 == 0)
                {
                    var folder = Path.Combine(files.Path, $"samples-{k}");
                    if ((await Run(worker, "sample", "--run", "r0", "--n", "2", "--seed", k.ToString(CultureInfo.InvariantCulture), "--out", folder, "--device", "cpu", "--json")).Code == 0)
                        samples.Add((k, folder));
                    continue;
                }
                // No --name: both trainers pick the default name at once and must both get a run.
                var result = await Run(worker, ["train", "--dataset", "base", .. Tiny]);
                if (result.Code == 0) runs.Add(result.Json.GetProperty("run").GetString()!);
            }
        }

        await Task.WhenAll(
            Task.Run(() => Ingest(0), ct), Task.Run(() => Ingest(1), ct), Task.Run(() => Tag(2), ct), Task.Run(() => Rate(3), ct),
            Task.Run(() => Exclude(4), ct), Task.Run(() => CreateDatasets(5), ct), Task.Run(() => Train(6, false), ct), Task.Run(() => Train(7, true), ct));

        // Every command either succeeded, or said why in one line (no stack trace) and exited 1.
        var attempts = log.ToList();
        var failures = attempts.Where(a => a.Result.Code != 0).ToList();
        foreach (var a in attempts)
        {
            var what = $"worker {a.Worker}: atelier {string.Join(' ', a.Args)} exited {a.Result.Code}: {a.Result.Error}";
            Assert.False(a.Result.Error.Contains("Unhandled exception", StringComparison.Ordinal) || a.Result.Error.Contains("   at ", StringComparison.Ordinal), what);
            if (a.Result.Code == 0) continue;
            Assert.True(a.Result.Code == 1, what);
            var lines = a.Result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1 && lines[0].StartsWith("atelier: ", StringComparison.Ordinal), what);
        }
        // The only refusals expected: the run name two trainers asked for at once, and a training
        // that hits a non-finite loss (a numerical matter, counted below, not a concurrency one).
        var nonFinite = failures.Where(a => a.Result.Error.Contains("training stopped; the last good checkpoint", StringComparison.Ordinal)).ToList();
        var clashRefusals = failures.Where(a => a.Args.Contains("clash") && a.Result.Error.Contains("already exists", StringComparison.Ordinal)).ToList();
        var unexpected = failures.Except(nonFinite).Except(clashRefusals).ToList();
        Assert.True(unexpected.Count == 0, "unexpected failures: " + string.Join(" | ", unexpected.Select(a => $"atelier {string.Join(' ', a.Args)}: {a.Result.Error.Trim()}")));
        Assert.True(attempts.Count(a => a.Args.Contains("clash") && a.Result.Code == 0) <= 1);
        // Each worker got real work done (every one runs at least twice, even past the 30 s) (a test where everything was refused would prove nothing).
        var summary = $"{attempts.Count} commands, {failures.Count} failed ({nonFinite.Count} non-finite losses, {clashRefusals.Count} refused run name); per worker: " +
            string.Join(", ", attempts.GroupBy(a => a.Worker).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count(a => a.Result.Code == 0)}/{g.Count()} ok"));
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.All(Enumerable.Range(0, 8), w => Assert.True(attempts.Any(a => a.Worker == w && a.Result.Code == 0), $"worker {w} got nothing done: {summary}"));

        Assert.Equal("ok", IntegrityCheck(Path.Combine(ws, ".atelier", "catalog.db")));
        cli.Ok("audit", "verify", "--workspace", ws);

        // Every acknowledged write is there.
        using var workspace = Workspace.Open(ws);
        var catalog = workspace.Catalog;
        Assert.All(ingested.Distinct(), sha => Assert.NotNull(catalog.FindImageId(sha)));
        Assert.All(tagged, t => Assert.Contains(t.Tag, catalog.TagsOf(t.Id).Select(x => x.Name)));
        foreach (var group in ratings.GroupBy(r => r.Id))
        {
            // The last acknowledged rating, unless a later one whose command failed took effect anyway.
            var issued = group.ToList();
            var lastAcknowledged = issued.FindLastIndex(r => r.Acknowledged);
            if (lastAcknowledged < 0) continue;
            Assert.Contains(catalog.GetImage(group.Key)!.Rating, issued.Skip(lastAcknowledged).Select(r => r.Rating));
        }
        foreach (var group in exclusions.GroupBy(r => r.Id))
        {
            var issued = group.ToList();
            var lastAcknowledged = issued.FindLastIndex(r => r.Acknowledged);
            if (lastAcknowledged < 0) continue;
            Assert.Contains(catalog.GetImage(group.Key)!.Excluded, issued.Skip(lastAcknowledged).Select(r => r.Excluded));
        }
        Assert.All(snapshots, s => Assert.Equal(s.Root, catalog.GetSnapshot(s.Name)?.RootHash));
        Assert.Equal(runs.Count, runs.Distinct().Count());
        Assert.All(runs, name => Assert.Equal(RunStatus.Finished, catalog.GetRun(name)?.Status));
        var recorded = catalog.ListSamples(catalog.GetRun("r0")!.Id);
        Assert.All(samples, s =>
        {
            Assert.Equal(2, recorded.Count(r => r.Seed == s.Seed));
            Assert.Equal(2, Directory.GetFiles(s.Folder, "*.png").Length);
        });
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string IntegrityCheck(string path)
    {
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "PRAGMA integrity_check";
        return (string)cmd.ExecuteScalar()!;
    }
}

/// <summary>Eight processes on the CI's two cores: run alone, so the other test classes neither slow it nor are starved by it.</summary>
[CollectionDefinition(nameof(ConcurrentCommandsTests), DisableParallelization = true)]
public sealed class ConcurrentCommandsCollection;
