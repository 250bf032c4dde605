using static TorchSharp.torch;

namespace Atelier.Training.Augmentation;

/// <summary>
/// StyleGAN2-ADA's heuristic for the augmentation probability: r_t = E[sign(D(real))] over the last
/// interval; p moves up when r_t exceeds the target (D over-confident on reals: overfitting) and
/// down otherwise, fast enough to go from 0 to 1 in <c>speedKimg</c> thousand images.
/// </summary>
public sealed class AdaptiveAugment : IDisposable
{
    /// <summary>Largest p: below 1, so some samples always stay clean and augmentations do not leak into G.</summary>
    public static readonly double MaxP = Math.BitDecrement(1.0);

    readonly double target;
    readonly int intervalSteps;
    readonly double speedKimg;
    Tensor? signSum;   // on the logits' device, so observing needs no sync
    long count;
    long steps;
    double p;

    public AdaptiveAugment(double target = 0.6, int intervalSteps = 4, double speedKimg = 100, double initialP = 0)
    {
        if (intervalSteps < 1)
            throw new TrainingException("bad-ada-interval", $"adaptive augmentation interval {intervalSteps} must be at least 1");
        if (!(speedKimg > 0))
            throw new TrainingException("bad-ada-speed", $"adaptive augmentation speed {speedKimg} kimg must be positive");
        this.target = target;
        this.intervalSteps = intervalSteps;
        this.speedKimg = speedKimg;
        P = initialP;
    }

    /// <summary>The current probability, in [0, <see cref="MaxP"/>]; restored from a checkpoint.</summary>
    public double P
    {
        get => p;
        set => p = double.IsNaN(value) ? 0 : Math.Clamp(value, 0, MaxP);
    }

    /// <summary>r_t measured at the last adjustment (NaN before the first).</summary>
    public double LastRt { get; private set; } = double.NaN;

    /// <summary>Adds the signs of D's logits on (augmented) reals to the running sum.</summary>
    public void Observe(Tensor realLogits)
    {
        using var noGrad = no_grad();
        using var signs = realLogits.detach().sign().sum().to(float64);
        if (signSum is null || signSum.device_type != realLogits.device_type || signSum.device_index != realLogits.device_index)
        {
            signSum?.Dispose();
            signSum = zeros(1, dtype: float64, device: realLogits.device).DetachFromDisposeScope();
        }
        signSum.add_(signs);
        count += realLogits.numel();
    }

    /// <summary>Counts a step; every <c>intervalSteps</c> steps adjusts p from what was observed.</summary>
    public void Step(int batchSize)
    {
        if (++steps % intervalSteps != 0 || count == 0 || signSum is null) return;
        double rt = signSum.item<double>() / count;
        LastRt = rt;
        P = p + Math.Sign(rt - target) * (double)batchSize * intervalSteps / (speedKimg * 1000);
        signSum.zero_();
        count = 0;
    }

    /// <summary>Everything the heuristic carries between steps, so that a resumed run adjusts p exactly as an uninterrupted one.</summary>
    public AdaptiveAugmentState Capture() => new(p, signSum?.item<double>() ?? 0, count, steps, LastRt);

    public void Restore(AdaptiveAugmentState state)
    {
        P = state.P;
        count = state.Count;
        steps = state.Steps;
        LastRt = state.LastRt;
        signSum?.Dispose();
        signSum = state.Count == 0 ? null : tensor(new[] { state.SignSum }, float64).DetachFromDisposeScope();
    }

    public void Dispose() => signSum?.Dispose();
}

/// <summary>The adaptive augmentation's state as stored in a checkpoint.</summary>
public sealed record AdaptiveAugmentState(double P, double SignSum, long Count, long Steps, double LastRt);
