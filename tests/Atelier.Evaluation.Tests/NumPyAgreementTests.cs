using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using Atelier.Evaluation.Metrics;
using Atelier.TestSupport;

namespace Atelier.Evaluation.Tests;

/// <summary>
/// FD and KID against an independent computation: NumPy/SciPy (Debian's /usr/bin/python3 with python3-numpy
/// and python3-scipy; .ci/run installs them) run reference_metrics.py on the same feature files, with KID's
/// subsets passed along so both sides average the same ones.
/// </summary>
public class NumPyAgreementTests
{
    private const string Python = "/usr/bin/python3";

    [Theory]
    [InlineData(300, 250, 16, 1)]
    [InlineData(600, 500, 64, 2)]
    [InlineData(1200, 1100, 256, 3)]
    public void FdAndKidAgreeWithNumPyToOnePartInAMillion(int realCount, int generatedCount, int d, int seed)
    {
        var real = Gaussians.Sample(realCount, d, seed, correlated: true);
        var generated = Gaussians.Sample(generatedCount, d, seed + 100, mean: 0.1, scale: 1.2, correlated: true);
        var subsets = KernelInceptionDistance.DrawSubsets(realCount, generatedCount, Math.Min(200, generatedCount), subsets: 10, seed);

        double fd = FrechetDistance.Compute(GaussianStatistics.Of(real), GaussianStatistics.Of(generated));
        var kid = KernelInceptionDistance.Compute(real, generated, subsets);

        using var dir = new TempDir();
        var reference = RunReference(dir, real, generated, subsets);
        AssertRelative(reference.GetProperty("fd").GetDouble(), fd, "FD");
        AssertRelative(reference.GetProperty("kid").GetDouble(), kid.Mean, "KID");
        AssertRelative(reference.GetProperty("kid_std").GetDouble(), kid.StandardDeviation, "KID std");
    }

    private static void AssertRelative(double expected, double actual, string what)
    {
        double relative = Math.Abs(actual - expected) / Math.Abs(expected);
        Assert.True(relative <= 1e-6, $"{what}: C# {actual:R}, NumPy {expected:R}, relative difference {relative:g3}");
    }

    private static JsonElement RunReference(TempDir dir, FeatureSet real, FeatureSet generated, IReadOnlyList<(int[] Real, int[] Generated)> subsets)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: install Debian's python3, python3-numpy and python3-scipy (.ci/run does)");
        string realPath = dir.Write("real.f64", Encode(real)), generatedPath = dir.Write("generated.f64", Encode(generated));
        int size = subsets[0].Real.Length;
        var ints = new List<int> { subsets.Count, size };
        foreach (var (r, g) in subsets) { ints.AddRange(r); ints.AddRange(g); }
        var subsetBytes = new byte[ints.Count * 4];
        for (int i = 0; i < ints.Count; i++) BinaryPrimitives.WriteInt32LittleEndian(subsetBytes.AsSpan(4 * i), ints[i]);
        string subsetPath = dir.Write("subsets.i32", subsetBytes);

        var script = Path.Combine(AppContext.BaseDirectory, "reference_metrics.py");
        var start = new ProcessStartInfo(Python, [script, realPath, generatedPath, subsetPath]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"reference_metrics.py exited {process.ExitCode}: {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }

    private static byte[] Encode(FeatureSet set)
    {
        var bytes = new byte[8 + set.Values.Length * 8];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, set.Count);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), set.Dimension);
        for (int i = 0; i < set.Values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 + 8 * i), set.Values[i]);
        return bytes;
    }
}
