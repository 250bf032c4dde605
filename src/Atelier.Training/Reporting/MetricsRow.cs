namespace Atelier.Training.Reporting;

/// <summary>One metrics.jsonl line: images seen and the named values (NaN where a value was not finite).</summary>
public sealed record MetricsRow(long Images, IReadOnlyDictionary<string, double> Values)
{
    public double Kimg => Images / 1000.0;
}
