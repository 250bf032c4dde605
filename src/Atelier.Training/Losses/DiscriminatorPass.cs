using Atelier.Training.Networks;
using static TorchSharp.torch;

namespace Atelier.Training.Losses;

/// <summary>
/// The D step's shared part: logits on reals and fakes, plus the lazy R1/R2 penalties when due
/// (computed on the same forward pass, multiplied by the interval so their average strength
/// matches applying them every step).
/// </summary>
static class DiscriminatorPass
{
    /// <summary>
    /// One D pass over reals and fakes together (for a D without batch statistics, where this gives
    /// the same logits): half the passes, larger and so more efficient convolutions on a CPU.
    /// </summary>
    public static (Tensor Real, Tensor Fake, Tensor? Penalty) RunJoint(
        Discriminator d, Tensor real, Tensor fake, Tensor labels, bool regularize, LossSettings settings,
        Dictionary<string, float> parts)
    {
        long b = real.shape[0];
        var images = cat([real, fake.detach()], 0);
        var bothLabels = cat([labels, labels], 0);
        Tensor logits;
        Tensor? penalty = null;
        bool penalise = regularize && (settings.R1Gamma > 0 || settings.R2Gamma > 0);
        if (penalise)
        {
            (logits, var squaredNorms) = GradientPenalty.SquaredGradientNorms(d, images, bothLabels);
            foreach (var (gamma, part, half) in new[] { (settings.R1Gamma, LossParts.R1, 0L), (settings.R2Gamma, LossParts.R2, b) })
            {
                if (gamma <= 0) continue;
                var term = squaredNorms.narrow(0, half, b).mean() * (gamma / 2);
                parts[part] = term.item<float>();
                var scaled = term * settings.RegularizationInterval;
                penalty = penalty is null ? scaled : penalty + scaled;
            }
        }
        else logits = d.forward(images, bothLabels);
        var realLogits = logits.narrow(0, 0, b);
        var fakeLogits = logits.narrow(0, b, b);
        parts[LossParts.RealLogits] = realLogits.mean().item<float>();
        parts[LossParts.FakeLogits] = fakeLogits.mean().item<float>();
        return (realLogits, fakeLogits, penalty);
    }

    /// <summary>Separate D passes over reals and fakes (batch norm must see each batch alone, as in DCGAN).</summary>
    public static (Tensor Real, Tensor Fake, Tensor? Penalty) Run(
        Discriminator d, Tensor real, Tensor fake, Tensor labels, bool regularize, LossSettings settings,
        Dictionary<string, float> parts)
    {
        Tensor realLogits, fakeLogits;
        Tensor? penalty = null;
        if (regularize && settings.R1Gamma > 0)
        {
            (realLogits, var r1) = GradientPenalty.Evaluate(d, real, labels, settings.R1Gamma);
            parts[LossParts.R1] = r1.item<float>();
            penalty = r1 * settings.RegularizationInterval;
        }
        else realLogits = d.forward(real, labels);
        if (regularize && settings.R2Gamma > 0)
        {
            (fakeLogits, var r2) = GradientPenalty.Evaluate(d, fake, labels, settings.R2Gamma);
            parts[LossParts.R2] = r2.item<float>();
            var scaled = r2 * settings.RegularizationInterval;
            penalty = penalty is null ? scaled : penalty + scaled;
        }
        else fakeLogits = d.forward(fake, labels);
        parts[LossParts.RealLogits] = realLogits.mean().item<float>();
        parts[LossParts.FakeLogits] = fakeLogits.mean().item<float>();
        return (realLogits, fakeLogits, penalty);
    }
}
