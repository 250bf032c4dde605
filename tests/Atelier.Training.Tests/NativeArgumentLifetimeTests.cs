using System.Diagnostics;
using System.Reflection;
using Atelier.TestSupport;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

/// <summary>
/// A temporary Scalar or Tensor that TorchSharp hands to libtorch stays alive until the call returns, whatever other
/// threads do. The shipped TorchSharp 0.107.0 lets the JIT drop it as soon as its pointer is read: a collection started
/// by another thread (the batch prefetch, the energy meter, a parallel test) then frees it while libtorch reads it.
/// On this project's machines that gave "Expected false to be true ... toFloat" from Adam.step and silently wrong sums
/// (0.0020004772 instead of 0.002002009 in the first test's loop). build/TorchSharpKeepAlive rewrites the assembly.
/// </summary>
public class NativeArgumentLifetimeTests
{
    static NativeArgumentLifetimeTests() => TorchRuntime.EnsureLoadable();

    [Fact]
    public void TheTorchSharpLoadedIsTheRewrittenOne()
    {
        var marker = typeof(torch).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "Atelier.TorchSharpKeepAlive");
        Assert.NotNull(marker);
        Assert.Equal("1", marker.Value);
    }

    [Fact]
    public void TheRewriterRefusesAnAssemblyItAlreadyRewroteOrOneThatIsNotAnAssembly()
    {
        using var dir = new TempDir();
        var notAnAssembly = dir.Write("TorchSharp.dll", "not a PE file");
        foreach (var input in new[] { typeof(torch).Assembly.Location, notAnAssembly })
        {
            var output = Path.Combine(dir.Path, "out", "TorchSharp.dll");
            var (code, stdout, stderr) = RunRewriter(input, output);
            Assert.Equal(1, code);
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"TorchSharpKeepAlive: {input}: ", line);
            Assert.False(File.Exists(output));
        }
    }

    [Fact]
    public void TemporaryScalarsSurviveACollectionStartedByAnotherThread()
    {
        const int Additions = 200_000;
        const double Step = 1e-8;
        float quiet = SumOfAdditions(Additions, Step, explicitScalars: true, collector: false);
        float collected = SumOfAdditions(Additions, Step, explicitScalars: false, collector: true);
        Assert.Equal(BitConverter.SingleToInt32Bits(quiet), BitConverter.SingleToInt32Bits(collected));
    }

    [Fact]
    public void AdamGivesTheSameWeightsWhileAnotherThreadCollects()
    {
        var quiet = AdamWeights(collector: false);
        var collected = AdamWeights(collector: true);
        Assert.Equal(quiet, collected);
    }

    /// <summary>Runs build/TorchSharpKeepAlive as the build does (its output for this test's configuration).</summary>
    static (int Code, string Stdout, string Stderr) RunRewriter(string input, string output)
    {
#if DEBUG
        const string Configuration = "Debug";
#else
        const string Configuration = "Release";
#endif
        var tool = Path.Combine(Repo.Root, "build", "TorchSharpKeepAlive", "bin", Configuration, "net10.0", "TorchSharpKeepAlive.dll");
        Assert.True(File.Exists(tool), $"{tool} is missing: Atelier.Training builds it");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [tool, input, output]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Adds <paramref name="step"/> to a tensor <paramref name="count"/> times, each through a fresh Scalar.</summary>
    static float SumOfAdditions(int count, double step, bool explicitScalars, bool collector)
    {
        using var _ = collector ? new Collector() : null;
        using var sum = zeros(4);
        for (int i = 0; i < count; i++)
        {
            if (explicitScalars)
            {
                using Scalar value = step.ToScalar(), alpha = 1.ToScalar();
                sum.add_(value, alpha);
            }
            else sum.add_(step); // the Scalar for step, and the one for alpha = 1 inside add_, are temporaries
        }
        return sum[0].item<float>();
    }

    /// <summary>Every weight of a small model after Adam steps from a fixed seed, as raw bits.</summary>
    static int[] AdamWeights(bool collector)
    {
        using var _ = collector ? new Collector() : null;
        using var rng = new Generator(5, CPU);
        // Many small parameters: each Adam update is a handful of native calls on temporary Scalars.
        using var model = nn.Sequential(Enumerable.Range(0, 12).Select(_ => ((string, nn.Module<Tensor, Tensor>))("", nn.Linear(8, 8))).ToArray());
        using (no_grad())
            foreach (var p in model.parameters()) p.copy_(randn(p.shape, generator: rng) * 0.1);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        for (int step = 0; step < 3000; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var x = randn([32, 8], generator: rng);
            var loss = (model.call(x) - x.flip(1)).square().mean();
            loss.backward();
            optimizer.step();
        }
        return model.parameters().SelectMany(p => p.detach().data<float>().ToArray()).Select(BitConverter.SingleToInt32Bits).ToArray();
    }

    /// <summary>Another thread collecting and running finalizers as fast as it can, until disposed.</summary>
    sealed class Collector : IDisposable
    {
        readonly Thread _thread;
        volatile bool _stop;

        public Collector()
        {
            _thread = new Thread(() =>
            {
                while (!_stop)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }
            }) { IsBackground = true, Name = "test collector" };
            _thread.Start();
        }

        public void Dispose()
        {
            _stop = true;
            _thread.Join();
        }
    }
}
