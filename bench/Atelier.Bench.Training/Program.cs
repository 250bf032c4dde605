using System.Globalization;
using System.Text.Json;
using Atelier.Bench.Training;
using Atelier.Training;
using TorchSharp;

// Training benchmark harness. Every subcommand prints one JSON line on stdout (for bench/training/run.sh)
// and a readable summary on stderr.
const string Usage = """
    usage: Atelier.Bench.Training peak [--threads 2] [--sizes 512,1024,2048,4096] [--samples 7]
           Atelier.Bench.Training flops R [--batch 64]
           Atelier.Bench.Training step R [--threads 2] [--iterations 20] [--warmup 5] [--batch 64]
    """;

if (args.Length == 0) return Fail(Usage);
var options = Options.Parse(args.Skip(1));
try
{
    switch (args[0])
    {
        case "peak":
            Load(options);
            var peak = MatmulPeak.Measure(options.IntList("sizes", [512, 1024, 2048, 4096]), options.Int("samples", 7));
            foreach (var s in peak.Sizes)
                Console.Error.WriteLine($"matmul {s.Size,5}: median {s.MedianGflops,7:0.0} GFLOP/s (min {s.MinGflops:0.0}, max {s.MaxGflops:0.0}, {s.Samples} samples)");
            Console.Error.WriteLine($"peak (best size's median): {peak.PeakGflops:0.0} GFLOP/s at {peak.BestSize} on {torch.get_num_threads()} threads");
            Print(new { peakGflops = peak.PeakGflops, bestSize = peak.BestSize, threads = torch.get_num_threads(), sizes = peak.Sizes });
            return 0;
        case "flops":
            var count = DcganFlops.Iteration(Resolution(args), options.Int("batch", 64));
            Console.Error.WriteLine(count.Describe());
            Print(count);
            return 0;
        case "step":
            Load(options);
            var flops = DcganFlops.Iteration(Resolution(args), options.Int("batch", 64));
            var step = DcganStep.Measure(flops.Resolution, flops.Batch, options.Int("warmup", 5), options.Int("iterations", 20));
            double gflops = flops.Flops / step.MedianSeconds / 1e9;
            Console.Error.WriteLine($"DCGAN {flops.Resolution}x{flops.Resolution} batch {flops.Batch}: median {step.MedianSeconds * 1000:0.0} ms/iteration "
                + $"(min {step.MinSeconds * 1000:0.0}, max {step.MaxSeconds * 1000:0.0}, {step.Iterations} timed), {gflops:0.0} GFLOP/s, "
                + $"{flops.Batch / step.MedianSeconds:0.0} images/s without data pipeline");
            Print(new
            {
                resolution = flops.Resolution, batch = flops.Batch, threads = torch.get_num_threads(),
                msPerIteration = step.MedianSeconds * 1000, minMs = step.MinSeconds * 1000, maxMs = step.MaxSeconds * 1000,
                iterations = step.Iterations, gflopsPerSecond = gflops, imagesPerSecond = flops.Batch / step.MedianSeconds,
                flopsPerIteration = flops.Flops, finalLosses = step.FinalLosses,
            });
            return 0;
        default:
            return Fail(Usage);
    }
}
catch (BenchUsageException e)
{
    return Fail(e.Message);
}

static int Resolution(string[] args) =>
    args.Length > 1 && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out int r) && r >= 8 && (r & (r - 1)) == 0
        ? r
        : throw new BenchUsageException($"resolution '{(args.Length > 1 ? args[1] : "")}' must be a power of two >= 8");

static void Load(Options options)
{
    TorchRuntime.EnsureLoadable();
    torch.set_num_threads(options.Int("threads", 2));
}

static void Print<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 2;
}
