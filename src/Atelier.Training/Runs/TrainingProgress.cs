namespace Atelier.Training.Runs;

/// <summary>What a run reports at each tick: enough for a live progress line.</summary>
public sealed record TrainingTick(
    long Images, long TotalImages, double ImagesPerSecond, double SecondsPerKimg, double AugmentP,
    IReadOnlyDictionary<string, double> Values, TimeSpan Eta)
{
    public double Kimg => Images / 1000.0;
}

/// <summary>How a run ended. <see cref="Message"/> says why it ended before its length (early stop, budget, interrupted).</summary>
public sealed record TrainingResult(
    string Run, string Status, long Images, double Seconds, double ImagesPerSecond, double SecondsPerKimg,
    long PeakRssBytes, string? LatestCheckpoint, string? LatestGrid, string? LossPlot, string Device,
    string? Message = null, EvaluationSummary? Evaluation = null, string? BestCheckpoint = null);

/// <summary>
/// The run's evaluations during training (all sessions): the last and best score, where the best was, how many
/// evaluations, the images behind each, and this session's time spent evaluating.
/// </summary>
public sealed record EvaluationSummary(string Key, string Name, double Last, double Best, long BestImages, int Evaluations, int Generated, int Real,
    double SessionSeconds, int SessionEvaluations);
