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
