using Atelier.Training.Networks;
using static TorchSharp.torch;

namespace Atelier.Training.Losses;

/// <summary>A GAN objective: the discriminator's and the generator's loss for one step.</summary>
public interface IGanLoss
{
    string Name { get; }

    /// <summary>
    /// real/fake are already augmented; fake is detached by the caller. With
    /// <paramref name="regularize"/> the lazy gradient penalties are added, scaled by the interval, their weights
    /// multiplied by <paramref name="gammaScale"/> (a schedule's decay).
    /// </summary>
    LossTerms DiscriminatorLoss(Discriminator d, Tensor real, Tensor fake, Tensor labels, bool regularize, double gammaScale = 1);

    LossTerms GeneratorLoss(Discriminator d, Tensor real, Tensor fake, Tensor labels);
}
