using Atelier.Training.Networks;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Atelier.Training.Losses;

/// <summary>
/// DCGAN's loss as in the PyTorch example: binary cross-entropy on logits, D on reals and fakes
/// in separate passes (batch norm sees each alone), non-saturating G loss -log D(G(z)).
/// Penalties apply only when their gamma is set (off by default).
/// </summary>
public sealed class BceLoss(LossSettings settings) : IGanLoss
{
    public string Name => "dcgan";

    public LossTerms DiscriminatorLoss(Discriminator d, Tensor real, Tensor fake, Tensor labels, bool regularize, double gammaScale = 1)
    {
        using var scope = NewDisposeScope();
        var parts = new Dictionary<string, float>();
        var (realLogits, fakeLogits, penalty) = DiscriminatorPass.Run(d, real, fake, labels, regularize, settings.Scaled(gammaScale), parts);
        // BCE(x, 1) = softplus(-x); BCE(x, 0) = softplus(x).
        var loss = F.softplus(-realLogits).mean() + F.softplus(fakeLogits).mean();
        parts[LossParts.DiscriminatorLoss] = loss.item<float>();
        var total = penalty is null ? loss : loss + penalty;
        return new LossTerms(scope.MoveToOuter(total), parts, scope.MoveToOuter(realLogits.detach()));
    }

    public LossTerms GeneratorLoss(Discriminator d, Tensor real, Tensor fake, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var fakeLogits = d.forward(fake, labels);
        var loss = F.softplus(-fakeLogits).mean();
        var parts = new Dictionary<string, float>
        {
            [LossParts.GeneratorLoss] = loss.item<float>(),
            [LossParts.FakeLogits] = fakeLogits.mean().item<float>(),
        };
        return new LossTerms(scope.MoveToOuter(loss), parts, null);
    }
}
