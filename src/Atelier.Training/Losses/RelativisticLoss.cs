using Atelier.Training.Networks;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.Training.Losses;

/// <summary>
/// R3GAN's objective: the relativistic pairing loss (RpGAN) with zero-centred R1 and R2 penalties.
/// D: softplus(-(D(real) - D(fake))); G: softplus(-(D(fake) - D(real))), each real paired with
/// one fake of the batch. The D step runs D once over reals and fakes together (R3GAN's D has no
/// batch statistics, so the logits are the same as two passes).
/// </summary>
public sealed class RelativisticLoss(LossSettings settings) : IGanLoss
{
    public string Name => "modern";

    public LossTerms DiscriminatorLoss(Discriminator d, Tensor real, Tensor fake, Tensor labels, bool regularize, double gammaScale = 1)
    {
        using var scope = NewDisposeScope();
        var parts = new Dictionary<string, float>();
        var (realLogits, fakeLogits, penalty) = DiscriminatorPass.RunJoint(d, real, fake, labels, regularize, settings.Scaled(gammaScale), parts);
        var loss = F.softplus(fakeLogits - realLogits).mean();
        parts[LossParts.DiscriminatorLoss] = loss.item<float>();
        var total = penalty is null ? loss : loss + penalty;
        return new LossTerms(scope.MoveToOuter(total), parts, scope.MoveToOuter(realLogits.detach()));
    }

    public LossTerms GeneratorLoss(Discriminator d, Tensor real, Tensor fake, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var fakeLogits = d.forward(fake, labels);
        Tensor realLogits;
        // Reals only shift the fake logits here; G's gradient does not pass through them.
        using (no_grad()) realLogits = d.forward(real, labels);
        var loss = F.softplus(realLogits - fakeLogits).mean();
        var parts = new Dictionary<string, float>
        {
            [LossParts.GeneratorLoss] = loss.item<float>(),
            [LossParts.RealLogits] = realLogits.mean().item<float>(),
            [LossParts.FakeLogits] = fakeLogits.mean().item<float>(),
        };
        return new LossTerms(scope.MoveToOuter(loss), parts, scope.MoveToOuter(realLogits));
    }
}
