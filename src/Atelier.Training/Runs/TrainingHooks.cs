using Atelier.Training.Data;
using static TorchSharp.torch;

namespace Atelier.Training.Runs;

/// <summary>
/// Scores a generator while it trains; lower is better. Training cannot reference the stages after it
/// (Evaluation), so it defines this and the CLI passes one built there (the built-in: FD-ResNet18).
/// </summary>
public interface IGeneratorScorer
{
    /// <summary>The metrics key, e.g. <c>score/fd_resnet18</c>.</summary>
    string Key { get; }

    /// <summary>The name people read, e.g. <c>FD-ResNet18</c>.</summary>
    string Name { get; }

    /// <summary>Generated images behind each score (known after <see cref="Prepare"/>).</summary>
    int Generated { get; }

    /// <summary>Real images behind each score (known after <see cref="Prepare"/>).</summary>
    int Real { get; }

    /// <summary>Called once before the run is recorded: refuses what it cannot score (with a reason) and readies its reference.</summary>
    void Prepare(LabelSpace labels, int resolution, CancellationToken cancellation);

    /// <summary>The score of <paramref name="generator"/> (in eval mode); the same weights give the same score.</summary>
    double Score(Networks.Generator generator, LabelSpace labels, int resolution, Device device, CancellationToken cancellation);
}

/// <summary>
/// What the run has cost so far over all its sessions: wall seconds, kWh, money in <see cref="Currency"/> (NaN when
/// sessions were priced in several currencies) and grams of CO2e.
/// </summary>
public sealed record RunSpend(double RunSeconds, double Kwh, double Money, string Currency, double Co2Grams, bool Estimate);

/// <summary>What a caller lends a training beyond its options: a scorer for <c>--eval-every</c>, and a probe of the run's spend (logged each tick, and what budgets are checked against).</summary>
public sealed record TrainingHooks(IGeneratorScorer? Scorer = null, Func<RunSpend>? Spend = null)
{
    public static TrainingHooks None { get; } = new();
}

/// <summary>Limits that may change when a run is resumed (null: keep the run's own).</summary>
public sealed record RunLimitChanges(int? EarlyStopPatience = null, double? BudgetMoney = null, double? BudgetKwh = null, double? BudgetHours = null)
{
    public TrainingOptions ApplyTo(TrainingOptions options) => options with
    {
        EarlyStopPatience = EarlyStopPatience ?? options.EarlyStopPatience,
        BudgetMoney = BudgetMoney ?? options.BudgetMoney,
        BudgetKwh = BudgetKwh ?? options.BudgetKwh,
        BudgetHours = BudgetHours ?? options.BudgetHours,
    };
}
