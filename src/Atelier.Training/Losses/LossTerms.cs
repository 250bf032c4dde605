using static TorchSharp.torch;

namespace Atelier.Training.Losses;

/// <summary>
/// One step's loss: <see cref="Total"/> to backward, named scalars for logging, and the detached
/// D(real) logits when the step computed them (the adaptive augmentation reads their sign).
/// </summary>
public sealed record LossTerms(Tensor Total, IReadOnlyDictionary<string, float> Parts, Tensor? RealLogits);

/// <summary>The names of the logged loss parts.</summary>
public static class LossParts
{
    public const string DiscriminatorLoss = "loss/D";
    public const string GeneratorLoss = "loss/G";
    public const string R1 = "penalty/R1";
    public const string R2 = "penalty/R2";
    public const string RealLogits = "D/real";
    public const string FakeLogits = "D/fake";
}

/// <summary>The names of the logged schedule values (only when a schedule other than constant runs).</summary>
public static class ScheduleParts
{
    public const string LearningRateG = "schedule/lr_G";
    public const string Beta2 = "schedule/beta2";
    public const string GammaScale = "schedule/gamma_scale";
}
