using Atelier.Training.Networks;

namespace Atelier.Training.Losses;

/// <summary>
/// Gradient-penalty weights (gamma of gamma/2 * ||grad D||^2; 0 = off) for R1 on reals and R2 on
/// fakes, and how many D steps apart the lazy penalty is applied (its term is multiplied by it).
/// </summary>
public sealed record LossSettings(double R1Gamma, double R2Gamma, int RegularizationInterval)
{
    /// <summary>
    /// DCGAN: no penalties, as the PyTorch example. Modern: R1 = R2 = 2 (R3GAN's starting gamma at
    /// FFHQ 64x64), lazily every 16th D step as StyleGAN2: a penalised D step costs ~3x a plain one on CPU.
    /// </summary>
    public static LossSettings Default(ModelKind kind) =>
        kind == ModelKind.Dcgan ? new(0, 0, 1) : new(2, 2, 16);

    /// <summary>The same settings with both penalty weights multiplied by <paramref name="gammaScale"/>.</summary>
    public LossSettings Scaled(double gammaScale) =>
        gammaScale == 1 ? this : this with { R1Gamma = R1Gamma * gammaScale, R2Gamma = R2Gamma * gammaScale };

    public void Validate()
    {
        if (!(R1Gamma >= 0) || !(R2Gamma >= 0) || double.IsInfinity(R1Gamma) || double.IsInfinity(R2Gamma))
            throw new TrainingException("bad-gamma", $"penalty weights must be finite and non-negative (R1 {R1Gamma}, R2 {R2Gamma})");
        if (RegularizationInterval < 1)
            throw new TrainingException("bad-regularization-interval", $"regularization interval {RegularizationInterval} must be at least 1");
    }
}
