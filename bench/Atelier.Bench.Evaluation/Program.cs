using System.Diagnostics;
using Atelier.Evaluation.Features;
using Atelier.Evaluation.Metrics;
using Atelier.Imaging;
using MathNet.Numerics.LinearAlgebra;

// Evaluation benchmarks: each subcommand alternates the ways it compares inside one process (A B A B ...)
// and prints the median of each and the median of the pairwise ratios.
const string Usage = """
    usage: Atelier.Bench.Evaluation features [--images 64] [--rounds 5] [--batch 8] [--workers 0]
               ResNet18 features of emoji-sample images (64x64 PNGs): batch-1 loop on the model as shipped against
               the batch-rewritten model fed --batch images a call on --workers concurrent calls
           Atelier.Bench.Evaluation metrics [--n 10000] [--d 512] [--rounds 3]
               FD (mean, covariance, distance) and KID (100 subsets of 1,000) on synthetic features
           Atelier.Bench.Evaluation linalg [--rounds 3]
               the Gram kernel against MathNet's managed multiply; MathNet's symmetric eigen-decomposition at 512
    """;
if (args.Length == 0) { Console.Error.WriteLine(Usage); return 2; }
var opts = args.Skip(1).Chunk(2).ToDictionary(p => p[0].TrimStart('-'), p => p.Length > 1 ? p[1] : "");
int Int(string name, int fallback) => opts.TryGetValue(name, out var v) ? int.Parse(v) : fallback;
int rounds = Int("rounds", args[0] == "features" ? 5 : 3);

switch (args[0])
{
    case "features":
    {
        var images = EmojiImages(Int("images", 64));
        var network = FeatureNetwork.Default();
        using var loop = FeatureExtractor.Open(network, ExtractorOptions.BatchOneLoop);
        using var batched = FeatureExtractor.Open(network, new ExtractorOptions(Int("batch", 8), Int("workers", 0)));
        Console.Error.WriteLine($"{images.Count} images; batched: batch {batched.Batch}, {batched.Workers} concurrent calls, rewritten {batched.BatchRewritten}");
        loop.Extract(images.Take(2).ToList());
        batched.Extract(images.Take(batched.Batch * batched.Workers).ToList());
        var (a, b, ratios) = (new List<double>(), new List<double>(), new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            double x = Rate(() => loop.Extract(images), images.Count), y = Rate(() => batched.Extract(images), images.Count);
            a.Add(x); b.Add(y); ratios.Add(y / x);
            Console.Error.WriteLine($"round {r + 1}: batch-1 loop {x:0.0} images/s, batched {y:0.0} images/s, ratio {y / x:0.00}");
        }
        Console.WriteLine($"features ResNet18 {images.Count} images x {rounds} rounds: batch-1 loop median {Median(a):0.0} images/s (min {a.Min():0.0}, max {a.Max():0.0}); "
            + $"batched median {Median(b):0.0} images/s (min {b.Min():0.0}, max {b.Max():0.0}); ratio median {Median(ratios):0.00}x (min {ratios.Min():0.00}, max {ratios.Max():0.00})");
        return 0;
    }
    case "metrics":
    {
        int n = Int("n", 10000), d = Int("d", 512);
        var real = Synthetic(n, d, 1, 0);
        var generated = Synthetic(n, d, 2, 0.05);
        var (fdTimes, kidTimes) = (new List<double>(), new List<double>());
        for (int r = 0; r < rounds; r++)
        {
            double fd = 0, kid = 0;
            fdTimes.Add(Seconds(() => fd = FrechetDistance.Compute(GaussianStatistics.Of(real), GaussianStatistics.Of(generated))));
            kidTimes.Add(Seconds(() => kid = KernelInceptionDistance.Compute(real, generated).Mean));
            Console.Error.WriteLine($"round {r + 1}: FD {fd:0.0000} in {fdTimes[^1]:0.00} s, KID {kid:0.000000} in {kidTimes[^1]:0.00} s");
        }
        Console.WriteLine($"metrics n={n} d={d} x {rounds} rounds: FD median {Median(fdTimes):0.00} s (min {fdTimes.Min():0.00}, max {fdTimes.Max():0.00}); "
            + $"KID (100 subsets of 1000) median {Median(kidTimes):0.00} s (min {kidTimes.Min():0.00}, max {kidTimes.Max():0.00}); FD + KID median {Median(fdTimes.Zip(kidTimes, (x, y) => x + y).ToList()):0.00} s");
        return 0;
    }
    case "linalg":
    {
        var rnd = new Random(1);
        var a = Matrix<double>.Build.Dense(1000, 512, (_, _) => rnd.NextDouble());
        var b = Matrix<double>.Build.Dense(1000, 512, (_, _) => rnd.NextDouble());
        double[] ar = a.ToRowMajorArray(), br = b.ToRowMajorArray(), result = new double[1000 * 1000];
        var (mathnet, gram, ratios) = (new List<double>(), new List<double>(), new List<double>());
        a.TransposeAndMultiply(b);
        Gram.Multiply(ar, 1000, br, 1000, 512, result);
        for (int r = 0; r < rounds; r++)
        {
            double x = Seconds(() => a.TransposeAndMultiply(b)), y = Seconds(() => Gram.Multiply(ar, 1000, br, 1000, 512, result));
            mathnet.Add(x); gram.Add(y); ratios.Add(x / y);
        }
        // libtorch (float64, through TorchSharp, already loaded for sampling) as a third contender.
        Atelier.Training.TorchRuntime.EnsureLoadable();
        using var ta = TorchSharp.torch.tensor(ar, [1000, 512], TorchSharp.torch.float64);
        using var tb = TorchSharp.torch.tensor(br, [1000, 512], TorchSharp.torch.float64);
        using (var warm = ta.mm(tb.t())) { }
        var torchTimes = new List<double>();
        for (int r = 0; r < rounds; r++) torchTimes.Add(Seconds(() => { using var p = ta.mm(tb.t()); }));
        var sym = a.TransposeThisAndMultiply(a) / 1000;
        using var tsym = TorchSharp.torch.tensor(sym.ToRowMajorArray(), [512, 512], TorchSharp.torch.float64);
        var torchEvd = new List<double>();
        for (int r = 0; r < rounds; r++) torchEvd.Add(Seconds(() => { var (l, v) = TorchSharp.torch.linalg.eigh(tsym); l.Dispose(); v.Dispose(); }));
        Console.WriteLine($"libtorch float64: A·Bᵀ median {Median(torchTimes) * 1000:0} ms, symmetric EVD 512x512 median {Median(torchEvd) * 1000:0} ms ({TorchSharp.torch.get_num_threads()} threads)");
        var evd = new List<double>();
        for (int r = 0; r < rounds; r++) evd.Add(Seconds(() => sym.Evd(Symmetricity.Symmetric)));
        Console.WriteLine($"A·Bᵀ 1000x512 by 1000x512 x {rounds}: MathNet managed median {Median(mathnet) * 1000:0} ms, Gram kernel median {Median(gram) * 1000:0} ms, "
            + $"ratio median {Median(ratios):0.0}x; MathNet symmetric EVD 512x512 median {Median(evd) * 1000:0} ms");
        return 0;
    }
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

static List<RgbImage> EmojiImages(int count)
{
    string dir = Path.Combine(FindRoot(), "data", "emoji-sample", "img");
    return Directory.GetFiles(dir, "*.png").Order(StringComparer.Ordinal).Take(count).Select(path =>
    {
        var rgba = ImageDecoder.Decode(File.ReadAllBytes(path));
        ImageResizer.CompositeInPlace(rgba, Rgb.White);
        var rgb = new byte[rgba.Width * rgba.Height * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4) (rgb[i], rgb[i + 1], rgb[i + 2]) = (rgba.Pixels[j], rgba.Pixels[j + 1], rgba.Pixels[j + 2]);
        return new RgbImage(rgb, rgba.Width, rgba.Height);
    }).ToList();
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Atelier.sln"))) return dir.FullName;
    throw new InvalidOperationException("Atelier.sln not found");
}

/// <summary>Non-negative features like a ReLU network's pooled output, with correlated dimensions.</summary>
static FeatureSet Synthetic(int n, int d, int seed, double shift)
{
    var rng = new Random(seed);
    var values = new double[n * d];
    for (int i = 0; i < n; i++)
    {
        double common = rng.NextDouble();
        for (int k = 0; k < d; k++) values[i * d + k] = Math.Max(0, common + shift + rng.NextDouble() - 0.5);
    }
    return new FeatureSet(n, d, values);
}

static double Rate(Action action, int count) => count / Seconds(action);

static double Seconds(Action action)
{
    var watch = Stopwatch.StartNew();
    action();
    return watch.Elapsed.TotalSeconds;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}
