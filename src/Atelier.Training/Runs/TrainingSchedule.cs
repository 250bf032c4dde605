namespace Atelier.Training.Runs;

/// <summary>The learning rates, Adam beta2 and penalty-weight scale one training step uses.</summary>
public sealed record ScheduledValues(double LearningRateG, double LearningRateD, double Beta2, double GammaScale);

/// <summary>
/// Hyper-parameter schedules. <c>constant</c> keeps the options' values. <c>cosine</c> is R3GAN's: over
/// <see cref="TrainingOptions.ScheduleKimg"/> the learning rates fall to a quarter, the R1/R2 weights to a tenth and
/// Adam's beta2 rises from 0.9 to the options' value, each along half a cosine; past that length the final values
/// hold. Each value depends on the image count alone, so a resumed run follows the same schedule exactly.
/// </summary>
public static class TrainingSchedule
{
    public const string Constant = "constant";
    public const string Cosine = "cosine";
    public const double FinalLearningRateFraction = 0.25;
    public const double FinalGammaFraction = 0.1;
    public const double InitialBeta2 = 0.9;

    public static ScheduledValues At(TrainingOptions options, long images)
    {
        if (options.Schedule != Cosine || options.ScheduleKimg <= 0)
            return new ScheduledValues(options.LearningRateG, options.LearningRateD, options.Beta2, 1);
        double done = Math.Clamp(images / (options.ScheduleKimg * 1000), 0, 1);
        double k = 0.5 * (1 - Math.Cos(Math.PI * done));
        double Toward(double from, double to) => from + k * (to - from);
        return new ScheduledValues(
            Toward(options.LearningRateG, options.LearningRateG * FinalLearningRateFraction),
            Toward(options.LearningRateD, options.LearningRateD * FinalLearningRateFraction),
            Toward(Math.Min(InitialBeta2, options.Beta2), options.Beta2),
            Toward(1, FinalGammaFraction));
    }

    /// <summary>Refuses an unknown schedule; a cosine without a length takes the run's length.</summary>
    public static TrainingOptions Fix(TrainingOptions options)
    {
        if (options.Schedule is not (Constant or Cosine))
            throw new TrainingException("bad-schedule", $"--schedule '{options.Schedule}' must be {Constant} or {Cosine}");
        if (!(options.ScheduleKimg >= 0) || double.IsInfinity(options.ScheduleKimg))
            throw new TrainingException("bad-schedule", $"--schedule-kimg {options.ScheduleKimg} must be a positive length");
        return options.Schedule == Cosine && options.ScheduleKimg == 0 ? options with { ScheduleKimg = options.Kimg } : options;
    }
}
