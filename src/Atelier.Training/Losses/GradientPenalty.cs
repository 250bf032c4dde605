using Atelier.Training.Networks;
using static TorchSharp.torch;

namespace Atelier.Training.Losses;

/// <summary>
/// Zero-centred gradient penalty (R1 on reals, R2 on fakes): gamma/2 * E||dD(x)/dx||^2, computed
/// with a differentiable gradient so the penalty itself trains D.
/// </summary>
public static class GradientPenalty
{
    /// <summary>
    /// Runs D on <paramref name="images"/> (as a leaf that records its gradient) and returns the
    /// logits, usable for the main loss too, and gamma/2 * mean squared gradient norm.
    /// </summary>
    public static (Tensor Logits, Tensor Penalty) Evaluate(Discriminator d, Tensor images, Tensor labels, double gamma)
    {
        var (logits, squaredNorms) = SquaredGradientNorms(d, images, labels);
        return (logits, squaredNorms.mean() * (gamma / 2));
    }

    /// <summary>D's logits and, per image, ||dD(x)/dx||^2 (differentiable), from one forward pass.</summary>
    public static (Tensor Logits, Tensor SquaredNorms) SquaredGradientNorms(Discriminator d, Tensor images, Tensor labels)
    {
        var input = images.detach().requires_grad_(true);
        var logits = d.forward(input, labels);
        var gradient = autograd.grad([logits.sum()], [input], retain_graph: true, create_graph: true)[0];
        return (logits, gradient.square().sum([1, 2, 3]));
    }
}
