namespace Atelier.Training.Runs;

/// <summary>What a run reports at each tick: enough for a live progress line.</summary>
public sealed record TrainingTick(
    long Images, long TotalImages, double ImagesPerSecond, double SecondsPerKimg, double AugmentP,
    IReadOnlyDictionary<string, double> Values, TimeSpan Eta)
{
    public double Kimg => Images / 1000.0;
}

/// <summary>How a run ended.</summary>
public sealed record TrainingResult(
    string Run, string Status, long Images, double Seconds, double ImagesPerSecond, double SecondsPerKimg,
    long PeakRssBytes, string? LatestCheckpoint, string? LatestGrid, string? LossPlot, string Device);
