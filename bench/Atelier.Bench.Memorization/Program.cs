// Distances the memorization check measures, for choosing its default thresholds (docs/decisions/0012-memorization-thresholds.md):
//   copies    each training image of RUN's snapshot (its export at the run's resolution) lightly re-encoded: JPEG quality 90,
//             and resized to 3/4 and back; what a memorised sample looks like at best
//   held-out  the images of HELD_OUT (a snapshot of other images in the same style) not in the training snapshot: different images
//   generated N samples of RUN's latest checkpoint (seed 0)
// Usage: Atelier.Bench.Memorization WORKSPACE RUN HELD_OUT [N]
using System.Globalization;
using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Governance.Policy;
using Atelier.Imaging;
using Atelier.Provenance.Sampling;
using Atelier.Training.Runs;

var ws = Workspace.Open(args[0]);
var run = ws.Catalog.GetRun(args[1]) ?? throw new InvalidOperationException("no such run");
var heldOut = ws.Catalog.GetSnapshot(args[2]) ?? throw new InvalidOperationException("no such snapshot");
int n = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 64;
int res = TrainingOptions.FromJson(run.Config).Resolution;
using var check = Memorization.Open(ws, run, res, MemorizationPolicy.Default);

var training = Export(ws.Catalog.GetSnapshot(run.SnapshotId)!);
var trainingShas = training.Select(t => t.Sha).ToHashSet();
var copiesJpeg = training.Select((t, i) => new SampleCandidate(i, Jpeg(t.Rgb, 90), [])).ToList();
var copiesResize = training.Select((t, i) => new SampleCandidate(i, Resized(t.Rgb, res * 3 / 4), [])).ToList();
var others = Export(heldOut).Where(t => !trainingShas.Contains(t.Sha)).Select((t, i) => new SampleCandidate(i, t.Rgb, [])).ToList();
var generated = Sampler.DrawSamples(ws, new SampleRequest(run.Name, "latest", n, 0, [], "cpu")).Candidates;

Console.WriteLine($"run {run.Name} ({res} px), {check.TrainingImages} training images; features {check.FeatureName}");
Console.WriteLine($"{"set",-16} {"n",4}  {"PDQ min/median (unmeasured)",-30} {"features min/median",-22} {"pixels min/median",-20}");
Report("copies jpeg90", check.Check(copiesJpeg));
Report("copies resize", check.Check(copiesResize));
Report("held-out", check.Check(others));
Report("generated", check.Check(generated));

void Report(string name, IReadOnlyList<MemorizationVerdict> v)
{
    var pdq = v.Where(x => x.Distances.Pdq is not null).Select(x => (double)x.Distances.Pdq!.Value).Order().ToList();
    var f = v.Select(x => x.Distances.Feature).Order().ToList();
    var p = v.Select(x => x.Distances.Pixel).Order().ToList();
    string Mm(List<double> xs, string fmt) => xs.Count == 0 ? "-" : $"{xs[0].ToString(fmt, CultureInfo.InvariantCulture)}/{xs[xs.Count / 2].ToString(fmt, CultureInfo.InvariantCulture)}/max {xs[^1].ToString(fmt, CultureInfo.InvariantCulture)}";
    Console.WriteLine($"{name,-16} {v.Count,4}  {Mm(pdq, "0") + $" ({v.Count - pdq.Count})",-30} {Mm(f, "0.0000"),-22} {Mm(p, "0.0"),-20}");
}

List<(string Sha, byte[] Rgb)> Export(SnapshotRecord snapshot)
{
    using var shards = ShardSet.Open(TrainingExports.Prepare(ws, snapshot, res, CancellationToken.None));
    return Enumerable.Range(0, shards.Count).Select(i => (shards.Labels[i].Sha256, shards.GetImage(i).ToArray())).ToList();
}

byte[] Jpeg(byte[] rgb, int quality) => Rgb(ImageDecoder.Decode(ImageEncoder.EncodeJpeg(RgbaImage.FromRgb(rgb, res, res), quality)));

byte[] Resized(byte[] rgb, int side) => Rgb(ImageResizer.Resize(ImageResizer.Resize(RgbaImage.FromRgb(rgb, res, res), side, side), res, res));

static byte[] Rgb(RgbaImage image) => image.ToRgb();
