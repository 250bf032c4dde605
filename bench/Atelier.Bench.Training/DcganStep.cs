using System.Diagnostics;
using Atelier.Training.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Bench.Training;

public sealed record StepTiming(double MedianSeconds, double MinSeconds, double MaxSeconds, int Iterations, IReadOnlyDictionary<string, float> FinalLosses);

/// <summary>
/// Times Atelier's DCGAN (GanNetworks) through the PyTorch example's iteration, without a data
/// pipeline: one fixed real batch in [-1,1]; one G forward; D on real and on fake.detach(); the G
/// step through D(fake); BCE with logits; Adam 2e-4, betas (0.5, 0.999). The same work the FLOP
/// count describes, so FLOPs / time is the step's achieved throughput.
/// </summary>
public static class DcganStep
{
    public static StepTiming Measure(int resolution, int batch, int warmup, int iterations)
    {
        torch.manual_seed(1);
        var spec = NetworkSpec.Default(ModelKind.Dcgan, resolution, labelDim: 0);
        using var g = GanNetworks.CreateGenerator(spec);
        using var d = GanNetworks.CreateDiscriminator(spec);
        using var optG = optim.Adam(g.parameters(), lr: 2e-4, beta1: 0.5, beta2: 0.999);
        using var optD = optim.Adam(d.parameters(), lr: 2e-4, beta1: 0.5, beta2: 0.999);
        using var real = rand(batch, 3, resolution, resolution) * 2 - 1;
        using var labels = zeros(batch, 0);
        using var ones = torch.ones(batch);
        using var zerosTarget = torch.zeros(batch);

        var seconds = new double[iterations];
        var losses = new Dictionary<string, float>();
        for (int i = 0; i < warmup + iterations; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            using (var scope = NewDisposeScope())
            {
                optD.zero_grad();
                var errReal = nn.functional.binary_cross_entropy_with_logits(d.forward(real, labels), ones);
                errReal.backward();
                var fake = g.forward(randn(batch, spec.LatentDim), labels);
                var errFake = nn.functional.binary_cross_entropy_with_logits(d.forward(fake.detach(), labels), zerosTarget);
                errFake.backward();
                optD.step();

                optG.zero_grad();
                var errG = nn.functional.binary_cross_entropy_with_logits(d.forward(fake, labels), ones);
                errG.backward();
                optG.step();
                if (i == warmup + iterations - 1)
                {
                    losses["loss/D"] = errReal.item<float>() + errFake.item<float>();
                    losses["loss/G"] = errG.item<float>();
                }
            }
            if (i >= warmup) seconds[i - warmup] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        if (losses.Values.Any(v => !float.IsFinite(v)))
            throw new InvalidOperationException("the DCGAN step produced non-finite losses");
        Array.Sort(seconds);
        return new StepTiming(MatmulPeak.Median(seconds), seconds[0], seconds[^1], iterations, losses);
    }
}
