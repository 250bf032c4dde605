using Atelier.Training.Networks;

namespace Atelier.Training.Losses;

/// <summary>The loss each model family trains with.</summary>
public static class GanLosses
{
    public static IGanLoss For(ModelKind kind, LossSettings settings)
    {
        settings.Validate();
        return kind switch
        {
            ModelKind.Dcgan => new BceLoss(settings),
            ModelKind.Modern => new RelativisticLoss(settings),
            _ => throw new TrainingException("bad-model-kind", $"unknown model kind {kind}"),
        };
    }
}
