using System.Diagnostics;
using Atelier.Training.Augmentation;
using Atelier.Training.Losses;
using Atelier.Training.Networks;
using static TorchSharp.torch;
using Generator = Atelier.Training.Networks.Generator;

namespace Atelier.Training.Tests;

/// <summary>
/// Figures for docs/decisions/0002-modern-gan.md: parameters and ms per full training step (D step
/// with lazy penalties, G step, EMA) at 64x64, batch 16, on 2 CPU threads. The models take steps in
/// turn, so load from other processes hits them alike. Explicit, so the normal run skips it:
/// <c>Atelier.Training.Tests -class Atelier.Training.Tests.TrainingStepTiming -explicit only -showliveoutput</c>.
/// </summary>
public sealed class TrainingStepTiming
{
    const int Batch = 16;

    public TrainingStepTiming() => Nets.Load();

    [Fact(Explicit = true)]
    public void Step_time_at_64_batch_16_on_two_threads()
    {
        const int rounds = 10;
        set_num_threads(2);
        manual_seed(1);
        var runners = new[] { new Runner(ModelKind.Dcgan, 1), new Runner(ModelKind.Modern, 1), new Runner(ModelKind.Modern, 2) };
        for (int round = 0; round <= rounds; round++)
            foreach (var r in runners) r.Step(measured: round > 0);
        var output = TestContext.Current.TestOutputHelper!;
        double dcgan = runners[0].Median;
        foreach (var r in runners)
        {
            output.WriteLine($"{r.Name}: G {r.GeneratorParameters:N0} params, D {r.DiscriminatorParameters:N0} params, " +
                $"plain step median {r.Median:F0} ms ({Batch * 1000 / r.Median:F1} images/s, {r.Median / dcgan:F2}x DCGAN), " +
                $"penalised D step adds {r.PenaltyExtra:F0} ms");
            r.Dispose();
        }
        Assert.All(runners, r => Assert.True(r.Median > 0));
    }

    sealed class Runner : IDisposable
    {
        readonly NetworkSpec spec;
        readonly Generator g, avg;
        readonly Discriminator d;
        readonly GeneratorAverage ema;
        readonly IGanLoss loss;
        readonly DiffAugment augment = new();
        readonly double p;
        readonly optim.Optimizer gOpt, dOpt;
        readonly Tensor real = rand(Batch, 3, 64, 64) * 2 - 1;
        readonly Tensor labels = zeros(Batch, 0);
        readonly List<double> plain = [], penalised = [];
        int steps;

        public Runner(ModelKind kind, double width)
        {
            spec = NetworkSpec.Default(kind, 64, 0) with { Width = width };
            Name = $"{kind} width {width}";
            g = GanNetworks.CreateGenerator(spec);
            avg = GanNetworks.CreateGenerator(spec);
            d = GanNetworks.CreateDiscriminator(spec);
            ema = new GeneratorAverage(g, avg);
            // Penalties on for both so their cost is seen; DCGAN's default has none.
            loss = GanLosses.For(kind, new LossSettings(1, kind == ModelKind.Modern ? 1 : 0, 16));
            p = kind == ModelKind.Modern ? 0.2 : 0;
            gOpt = optim.Adam(g.parameters(), 2e-4, 0.5, 0.999);
            dOpt = optim.Adam(d.parameters(), 2e-4, 0.5, 0.999);
        }

        public string Name { get; }
        public long GeneratorParameters => Nets.ParameterCount(g);
        public long DiscriminatorParameters => Nets.ParameterCount(d);
        public double Median => MedianOf(plain);
        public double PenaltyExtra => penalised.Count == 0 ? double.NaN : MedianOf(penalised) - Median;

        static double MedianOf(List<double> values) { var s = values.Order().ToList(); return s[s.Count / 2]; }

        public void Step(bool measured)
        {
            // Every third measured step is a penalised one, to price the lazy penalty.
            bool regularize = measured && steps % 3 == 2;
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                Tensor fake;
                using (no_grad()) fake = g.forward(randn(Batch, spec.LatentDim), labels);
                dOpt.zero_grad();
                var dTerms = loss.DiscriminatorLoss(d, augment.Apply(real, p), augment.Apply(fake, p), labels, regularize);
                dTerms.Total.backward();
                dOpt.step();
                gOpt.zero_grad();
                var gTerms = loss.GeneratorLoss(d, augment.Apply(real, p), augment.Apply(g.forward(randn(Batch, spec.LatentDim), labels), p), labels);
                gTerms.Total.backward();
                gOpt.step();
                ema.Update(GeneratorAverage.Beta(Batch, 10, (steps + 1L) * Batch, 0.05));
            }
            if (measured) (regularize ? penalised : plain).Add(clock.Elapsed.TotalMilliseconds);
            if (measured) steps++;
        }

        public void Dispose()
        {
            g.Dispose(); avg.Dispose(); d.Dispose(); gOpt.Dispose(); dOpt.Dispose(); real.Dispose(); labels.Dispose();
        }
    }
}
