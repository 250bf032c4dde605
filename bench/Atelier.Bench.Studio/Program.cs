// The studio under load (issue 13): N annotators at once, each with their own sign-in, tagging, untagging and rating random
// images of the emoji sample for a fixed time against `atelier studio` running as its own process on loopback. Afterwards:
// every acknowledged write must be in the catalog, and `atelier audit verify` must pass. Prints latency percentiles.
// With --grid N [--repeats 3] it measures the grid at N images in Debian's chromium instead (GridBench); with
// --similar N [--repeats 20], one "more like this" query over N stored feature vectors (SimilarBench); with --open N
// [--repeats 5], what opening the workspace costs a request, unpooled and pooled (OpenBench).
// Usage: dotnet bench/Atelier.Bench.Studio/bin/Release/net10.0/Atelier.Bench.Studio.dll [--annotators 50] [--seconds 60]
//        [--think-ms 0] [--atelier src/Atelier.Cli/bin/Release/net10.0/atelier.dll] [--workspace DIR] [--seed 1]
// --think-ms M: each annotator pauses 0 to 2M ms between requests (a person's pace); 0: as fast as answers come (saturation).
// --with-training 1: a training job's worker (`atelier job run`) trains on the same workspace throughout, stopped at the end.
using System.Diagnostics;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Ingest.Pipeline;
using Atelier.Studio.Accounts;
using Atelier.TestSupport;

var options = Args(args);
int annotatorCount = int.Parse(options.GetValueOrDefault("annotators", "50"), CultureInfo.InvariantCulture);
double seconds = double.Parse(options.GetValueOrDefault("seconds", "60"), CultureInfo.InvariantCulture);
int seed = int.Parse(options.GetValueOrDefault("seed", "1"), CultureInfo.InvariantCulture);
int think = int.Parse(options.GetValueOrDefault("think-ms", "0"), CultureInfo.InvariantCulture);
var cli = options.GetValueOrDefault("atelier", Path.Combine(Repo.Root, "src", "Atelier.Cli", "bin", "Release", "net10.0", "atelier.dll"));
var dir = options.GetValueOrDefault("workspace", Path.Combine(Path.GetTempPath(), "atelier-studio-load-" + Guid.NewGuid().ToString("N")));
if (!File.Exists(cli)) { Console.Error.WriteLine($"no CLI build at {cli} (dotnet build src/Atelier.Cli -c Release)"); return 2; }
if (options.TryGetValue("open", out var opens))
    return OpenBench.Run(int.Parse(opens, CultureInfo.InvariantCulture), int.Parse(options.GetValueOrDefault("repeats", "5"), CultureInfo.InvariantCulture),
        dir, options.ContainsKey("workspace"));
if (options.TryGetValue("similar", out var similarSize))
    return SimilarBench.Run(int.Parse(similarSize, CultureInfo.InvariantCulture), int.Parse(options.GetValueOrDefault("repeats", "20"), CultureInfo.InvariantCulture),
        dir, options.ContainsKey("workspace"));
if (options.TryGetValue("grid", out var gridSize))
    return await GridBench.RunAsync(int.Parse(gridSize, CultureInfo.InvariantCulture), int.Parse(options.GetValueOrDefault("repeats", "3"), CultureInfo.InvariantCulture),
        cli, dir, options.ContainsKey("workspace"));

var annotators = Enumerable.Range(0, annotatorCount).Select(i => new Annotator($"annotator-{i}", $"load test password {i}")).ToList();
IReadOnlyList<long> images;
using (var workspace = Workspace.Init(dir))
{
    await new Ingestion(workspace).RunAsync(new IngestRequest { Sources = [Repo.EmojiSample], License = "Apache-2.0", SourceName = "noto-emoji" });
    var owner = GovernanceSession.For(workspace);
    foreach (var a in annotators)
    {
        UserAdministration.Add(owner, a.Name, Role.Annotator);
        UserAdministration.SetPassword(owner, a.Name, Passwords.Hash(a.Name, a.Password));
    }
    images = workspace.Catalog.SelectIds(Selector.All);
}
Console.WriteLine($"workspace {dir}: {images.Count} images, {annotatorCount} annotators, {seconds} s, think {think} ms, seed {seed}; load average {File.ReadAllText("/proc/loadavg").Trim()}");

var (server, uri) = await StudioProcess.StartAsync(cli, dir);
TrainingBeside? training;
try { training = options.GetValueOrDefault("with-training") == "1" ? TrainingBeside.Start(cli, dir) : null; }
catch
{
    StudioProcess.Stop(server);
    throw;
}
var studioCpuBefore = server.TotalProcessorTime;

// The versions the grid shows them now (the training set-up rated every image once).
Dictionary<long, long> shown;
using (var workspace = Workspace.Open(dir)) shown = workspace.Catalog.ListImages(Selector.All).ToDictionary(i => i.Id, i => i.RatingVersion);
var result = await AnnotatorLoad.RunAsync(uri, annotators, images, seed, operations: null, TimeSpan.FromSeconds(seconds), CancellationToken.None, think, shown);
var serverCpu = server.TotalProcessorTime - studioCpuBefore;
var trainingText = training?.Stop();
StudioProcess.Stop(server);

string lostText;
using (var workspace = Workspace.Open(dir))
{
    var lost = result.Lost(workspace.Catalog);
    lostText = lost.Count == 0 ? "0" : $"{lost.Count} (first: {lost[0]})";
}
var verify = Process.Start(new ProcessStartInfo("dotnet", [cli, "audit", "verify", "--workspace", dir]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
var verifyText = (verify.StandardOutput.ReadToEnd() + verify.StandardError.ReadToEnd()).Trim();
verify.WaitForExit();

Console.WriteLine($"requests {result.Requests.Count} in {seconds} s ({result.Requests.Count / seconds:F0}/s); acknowledged {result.AcknowledgedWrites}, " +
                  $"rating conflicts (refused, current value returned) {result.Conflicts}, failures {result.Failures}; lost {lostText}; studio CPU {serverCpu.TotalSeconds:F1} s");
foreach (var s in result.FailureSamples) Console.WriteLine("  failure: " + s);
Console.WriteLine($"audit verify (exit {verify.ExitCode}): {verifyText.Split('\n')[0]}");
if (trainingText is { } t) Console.WriteLine(t.Text);
Console.WriteLine("latency ms      p50     p90     p99     max   count");
foreach (var kind in new string?[] { null, "tag", "untag", "rate" })
    Console.WriteLine($"{kind ?? "all",-10} {result.Percentile(50, kind),8:F1} {result.Percentile(90, kind),7:F1} {result.Percentile(99, kind),7:F1} {result.Percentile(100, kind),7:F1} {result.Requests.Count(r => kind is null || r.Kind == kind),7}");
if (!options.ContainsKey("workspace")) Directory.Delete(dir, recursive: true);
return result.Failures == 0 && lostText == "0" && verify.ExitCode == 0 && trainingText?.Stopped != false ? 0 : 1;

static Dictionary<string, string> Args(string[] args)
{
    var map = new Dictionary<string, string>();
    for (int i = 0; i + 1 < args.Length; i += 2) map[args[i].TrimStart('-')] = args[i + 1];
    return map;
}
