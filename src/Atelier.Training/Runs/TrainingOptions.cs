using System.Text.Json;
using System.Text.Json.Serialization;
using Atelier.Training.Losses;
using Atelier.Training.Networks;

namespace Atelier.Training.Runs;

/// <summary>
/// Everything that decides what a run computes. Stored in the run record and in every checkpoint;
/// a resumed run takes it from the checkpoint, so only the length (Kimg) may change on resume.
/// </summary>
public sealed record TrainingOptions
{
    public required string Dataset { get; init; }
    public required string Name { get; init; }
    public ModelKind Model { get; init; } = ModelKind.Dcgan;
    public int Resolution { get; init; } = 64;
    public double Kimg { get; init; } = 10;
    public int Batch { get; init; } = 64;
    /// <summary>none, multi, or a tag category whose tags are the classes.</summary>
    public string Conditioning { get; init; } = "none";
    public ulong Seed { get; init; } = 1;
    public double LearningRateG { get; init; } = 2e-4;
    public double LearningRateD { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    /// <summary>none, ada (adaptive DiffAugment, target r_t 0.6) or a fixed probability.</summary>
    public string Augment { get; init; } = "none";
    public string AugmentPolicy { get; init; } = "color,translation,cutout";
    public bool Mirror { get; init; }
    /// <summary>Half-life of the generator average in kimg; 0 keeps no average (G_ema is then a copy of G).</summary>
    public double EmaKimg { get; init; }
    public double EmaRampup { get; init; } = 0.05;
    /// <summary>constant or cosine (R3GAN's decays; see <see cref="TrainingSchedule"/>).</summary>
    public string Schedule { get; init; } = TrainingSchedule.Constant;
    /// <summary>Length of the cosine schedule in kimg, fixed when the run starts (0 there: the run's length), so a
    /// resumed run that is made longer keeps its schedule.</summary>
    public double ScheduleKimg { get; init; }
    public double R1Gamma { get; init; }
    public double R2Gamma { get; init; }
    public int RegularizationInterval { get; init; } = 1;
    /// <summary>A checkpoint, a sample grid and the loss plot every this many kimg (and at the end).</summary>
    public double SnapshotKimg { get; init; } = 10;
    /// <summary>A progress line and a metrics row every this many kimg.</summary>
    public double TickKimg { get; init; } = 0.25;
    public int KeepCheckpoints { get; init; } = 3;
    public int GridSize { get; init; } = 64;
    public string Device { get; init; } = "auto";
    /// <summary>--init-from: the checkpoint G, D and G_ema start from (pinned to its id and SHA-256 once the run starts); null: fresh weights.</summary>
    public InitSource? InitFrom { get; init; }
    /// <summary>--freeze-d: D's first this many blocks (from the image side) stay as <see cref="InitFrom"/> gave them; 0: all of D trains.</summary>
    public int FreezeD { get; init; }
    /// <summary>Score G_ema every this many kimg (and at the end) with the caller's scorer and choose the best checkpoint by it; 0: off (best by the pixel score).</summary>
    public double EvalEveryKimg { get; init; }
    /// <summary>Generated images per evaluation; 0: as many as the snapshot holds, at most <see cref="DefaultEvalSamples"/>.</summary>
    public int EvalSamples { get; init; }
    /// <summary>Stop when the score has not improved for this many evaluations; 0: never.</summary>
    public int EarlyStopPatience { get; init; }
    /// <summary>Stop once the run (all its sessions) has cost this much money in the workspace's currency.</summary>
    public double? BudgetMoney { get; init; }
    public double? BudgetKwh { get; init; }
    /// <summary>Stop once the run's wall time over all its sessions reaches this many hours.</summary>
    public double? BudgetHours { get; init; }

    /// <summary>Enough for a steady FD at a few seconds' cost per evaluation on a CPU (about 1/10 of what <c>atelier eval</c> draws).</summary>
    public const int DefaultEvalSamples = 1000;

    public bool HasBudget => BudgetMoney is not null || BudgetKwh is not null || BudgetHours is not null;

    /// <summary>Refuses evaluation, early-stop and budget settings that cannot work, each with its reason (before anything is recorded).</summary>
    public void ValidateLimits()
    {
        static string F(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!double.IsFinite(EvalEveryKimg) || EvalEveryKimg < 0)
            throw new TrainingException("bad-eval-every", $"--eval-every {F(EvalEveryKimg)} must be a positive number of kimg");
        if (EvalSamples < 0 || EvalSamples > Sampler.MaxCount)
            throw new TrainingException("bad-eval-samples", $"--eval-samples {EvalSamples} is outside 1..{Sampler.MaxCount}");
        if (EarlyStopPatience < 0)
            throw new TrainingException("bad-early-stop", $"--early-stop {EarlyStopPatience} must be a positive number of evaluations");
        if (EarlyStopPatience > 0 && EvalEveryKimg == 0)
            throw new TrainingException("early-stop-needs-eval", "--early-stop counts evaluations without improvement: it needs --eval-every KIMG");
        foreach (var (value, name) in new[] { (BudgetMoney, "--budget-money"), (BudgetKwh, "--budget-kwh"), (BudgetHours, "--budget-hours") })
            if (value is { } v && (!double.IsFinite(v) || v <= 0))
                throw new TrainingException("bad-budget", $"{name} {F(v)} must be a positive number");
    }

    /// <summary>Defaults of each model family: the Radford DCGAN as published; the modern model as in docs/decisions/0002.</summary>
    public static TrainingOptions Defaults(ModelKind model, string dataset, string name) => model switch
    {
        ModelKind.Dcgan => new TrainingOptions { Dataset = dataset, Name = name, Model = model },
        _ => new TrainingOptions
        {
            Dataset = dataset, Name = name, Model = model, Batch = 32, Beta1 = 0.0, Beta2 = 0.99,
            Augment = "ada", Mirror = true, EmaKimg = 10, SnapshotKimg = 2, Schedule = TrainingSchedule.Cosine,
            R1Gamma = ModernPenalties.R1Gamma, R2Gamma = ModernPenalties.R2Gamma, RegularizationInterval = ModernPenalties.RegularizationInterval,
        },
    };

    private static readonly LossSettings ModernPenalties = LossSettings.Default(ModelKind.Modern);

    public long TotalImages => (long)Math.Round(Kimg * 1000);

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainingOptions FromJson(string json) =>
        JsonSerializer.Deserialize<TrainingOptions>(json, Json) ?? throw new TrainingException("bad-config", "the stored run configuration is empty");

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
