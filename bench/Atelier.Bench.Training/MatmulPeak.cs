using System.Diagnostics;
using TorchSharp;

namespace Atelier.Bench.Training;

public sealed record MatmulSize(int Size, double MedianGflops, double MinGflops, double MaxGflops, int Samples);
public sealed record MatmulPeakResult(IReadOnlyList<MatmulSize> Sizes, double PeakGflops, int BestSize);

/// <summary>
/// float32 square matmul throughput of libtorch (torch.mm) on the current thread setting: the
/// machine's measured peak that a training step's achieved GFLOP/s is compared with.
/// </summary>
public static class MatmulPeak
{
    /// <summary>Each sample repeats mm until it has run at least this long, so small sizes are not timer noise.</summary>
    const double SampleSeconds = 0.25;

    public static MatmulPeakResult Measure(IReadOnlyList<int> sizes, int samples)
    {
        var results = sizes.Select(n => MeasureSize(n, samples)).ToList();
        var best = results.MaxBy(r => r.MedianGflops)!;
        return new MatmulPeakResult(results, best.MedianGflops, best.Size);
    }

    static MatmulSize MeasureSize(int n, int samples)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.randn(n, n);
        var b = torch.randn(n, n);
        double flops = 2.0 * n * n * n;
        a.mm(b).Dispose(); // warm-up: packs, thread pool start
        int reps = Math.Max(1, (int)Math.Ceiling(SampleSeconds / Time(() => a.mm(b).Dispose())));
        var gflops = new double[samples];
        for (int s = 0; s < samples; s++)
            gflops[s] = flops * reps / Time(() => { for (int r = 0; r < reps; r++) a.mm(b).Dispose(); }) / 1e9;
        Array.Sort(gflops);
        return new MatmulSize(n, Median(gflops), gflops[0], gflops[^1], samples);
    }

    static double Time(Action action)
    {
        long t0 = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }

    public static double Median(double[] sorted) =>
        sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
