using System.Diagnostics;
using Atelier.Training.Augmentation;
using Atelier.Training.Losses;
using Atelier.Training.Networks;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

/// <summary>
/// Figures for docs/decisions/0002-modern-gan.md: parameters and median ms per full training step
/// (D step with lazy penalties, G step, EMA) at 64x64, batch 16, on 2 CPU threads. Explicit, so the
/// normal run skips it: run with <c>-class Atelier.Training.Tests.TrainingStepTiming -explicit only</c>.
/// </summary>
public sealed class TrainingStepTiming
{
    public TrainingStepTiming() => Nets.Load();

    [Theory(Explicit = true)]
    [InlineData(ModelKind.Dcgan, 1.0)]
    [InlineData(ModelKind.Modern, 1.0)]
    [InlineData(ModelKind.Modern, 2.0)]
    public void Step_time_at_64_batch_16_on_two_threads(ModelKind kind, double width)
    {
        const int batch = 16, steps = 16, warmup = 1;
        set_num_threads(2);
        manual_seed(1);
        var spec = NetworkSpec.Default(kind, 64, 0) with { Width = width };
        using var g = GanNetworks.CreateGenerator(spec);
        using var avg = GanNetworks.CreateGenerator(spec);
        using var d = GanNetworks.CreateDiscriminator(spec);
        var ema = new GeneratorAverage(g, avg);
        var settings = LossSettings.Default(kind);
        var loss = GanLosses.For(kind, settings);
        var augment = new DiffAugment();
        double p = kind == ModelKind.Modern ? 0.2 : 0;
        using var gOpt = optim.Adam(g.parameters(), 2e-4, 0.5, 0.999);
        using var dOpt = optim.Adam(d.parameters(), 2e-4, 0.5, 0.999);
        using var real = rand(batch, 3, 64, 64) * 2 - 1;
        using var labels = zeros(batch, 0);
        var times = new List<double>();
        for (int step = 0; step < warmup + steps; step++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                Tensor fake;
                using (no_grad()) fake = g.forward(randn(batch, spec.LatentDim), labels);
                dOpt.zero_grad();
                var dTerms = loss.DiscriminatorLoss(d, augment.Apply(real, p), augment.Apply(fake, p), labels,
                    regularize: (step + 1) % settings.RegularizationInterval == 0);
                dTerms.Total.backward();
                dOpt.step();
                gOpt.zero_grad();
                var gTerms = loss.GeneratorLoss(d, augment.Apply(real, p), augment.Apply(g.forward(randn(batch, spec.LatentDim), labels), p), labels);
                gTerms.Total.backward();
                gOpt.step();
                ema.Update(GeneratorAverage.Beta(batch, 10, (step + 1) * batch, 0.05));
            }
            if (step >= warmup) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        TestContext.Current.TestOutputHelper!.WriteLine(
            $"{kind} width {width}: G {Nets.ParameterCount(g):N0} params, D {Nets.ParameterCount(d):N0} params, " +
            $"median {median:F0} ms/step (min {times[0]:F0}, max {times[^1]:F0}, mean {times.Average():F0} incl. one penalised step), " +
            $"{batch * 1000 / median:F1} images/s at the median");
        Assert.True(median > 0);
    }
}
