using System.Globalization;
using Atelier.Training.Reporting;

namespace Atelier.Training.Runs;

/// <summary>
/// When a run evaluates and when it ends before its length: the evaluation schedule, the best score so far
/// and how many evaluations have passed without improving on it (<c>--early-stop</c>), and the budgets.
/// The score history is read back from metrics.jsonl (already cut at the resume point), so a resumed run
/// counts exactly as an uninterrupted one.
/// </summary>
internal sealed class StopRules
{
    private readonly TrainingOptions _options;
    private readonly string? _key;
    private long _nextEval;

    public StopRules(TrainingOptions options, string? scoreKey, long images, IReadOnlyList<MetricsRow> earlier)
    {
        _options = options;
        _key = options.EvalEveryKimg > 0 ? scoreKey : null;
        _nextEval = NextMultiple(images, (long)Math.Round(options.EvalEveryKimg * 1000));
        if (_key is null) return;
        foreach (var row in earlier)
            if (row.Images <= images && row.Values.TryGetValue(_key, out var score) && double.IsFinite(score)) Observe(score, row.Images);
    }

    public bool Evaluates => _key is not null;
    public double? Best { get; private set; }
    public long BestImages { get; private set; }
    public double? Last { get; private set; }
    public int Evaluations { get; private set; }
    public int SinceBest { get; private set; }

    /// <summary>A tick must end at this image count (or before).</summary>
    public long NextEval => _key is null ? long.MaxValue : _nextEval;

    /// <summary>True at an evaluation point: every --eval-every kimg and at the end of the run.</summary>
    public bool EvalDue(long images) => _key is not null && (images >= _nextEval || images >= _options.TotalImages);

    /// <summary>Takes a score; returns why the run stops early, or null.</summary>
    public string? AfterEvaluation(double score, long images)
    {
        Observe(score, images);
        _nextEval = NextMultiple(images, (long)Math.Round(_options.EvalEveryKimg * 1000));
        if (_options.EarlyStopPatience <= 0 || SinceBest < _options.EarlyStopPatience || Best is null) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"early stop: {(_key!.StartsWith("score/", StringComparison.Ordinal) ? _key["score/".Length..] : _key)} did not improve on {Best:0.####} (at {BestImages / 1000.0:0.0##} kimg) in {SinceBest} evaluation{(SinceBest == 1 ? "" : "s")}");
    }

    private void Observe(double score, long images)
    {
        Evaluations++;
        Last = score;
        if (Best is null || score < Best)
        {
            Best = score;
            BestImages = images;
            SinceBest = 0;
        }
        else SinceBest++;
    }

    /// <summary>Which budget the spend has reached, as the run's message, or null.</summary>
    public string? BudgetReached(RunSpend spend)
    {
        var o = _options;
        if (o.BudgetMoney is { } money && spend.Money >= money)
            return string.Create(CultureInfo.InvariantCulture, $"budget reached: {spend.Currency} {spend.Money:0.####} of the {spend.Currency} {money:0.####} budget spent (--budget-money)");
        if (o.BudgetKwh is { } kwh && spend.Kwh >= kwh)
            return string.Create(CultureInfo.InvariantCulture, $"budget reached: {spend.Kwh:G4} kWh of the {kwh:G4} kWh budget used{(spend.Estimate ? " (estimate)" : "")} (--budget-kwh)");
        if (o.BudgetHours is { } hours && spend.RunSeconds >= hours * 3600)
            return string.Create(CultureInfo.InvariantCulture, $"budget reached: {spend.RunSeconds / 3600:0.####} h of the {hours:0.####} h budget trained (--budget-hours)");
        return null;
    }

    private static long NextMultiple(long value, long step) => step <= 0 ? long.MaxValue : (value / step + 1) * step;
}
