using Atelier.Training.Networks;
using static TorchSharp.torch;
using Generator = Atelier.Training.Networks.Generator;

namespace Atelier.Training;

/// <summary>
/// Exponential moving average of a generator's weights (StyleGAN2-ADA): the averaged copy gives
/// smoother samples. Parameters are interpolated; buffers (batch-norm statistics) are copied.
/// </summary>
public sealed class GeneratorAverage
{
    readonly (Tensor Source, Tensor Average)[] parameters;
    readonly (Tensor Source, Tensor Average)[] buffers;

    /// <summary>Pairs the two generators' tensors by name and copies <paramref name="source"/> into <paramref name="average"/>.</summary>
    public GeneratorAverage(Generator source, Generator average)
    {
        if (source.Spec != average.Spec || source.GetType() != average.GetType())
            throw new TrainingException("ema-mismatch", $"the average generator ({average.Spec}) differs from the trained one ({source.Spec})");
        parameters = Pair(source.named_parameters().Select(p => (p.name, (Tensor)p.parameter)),
                          average.named_parameters().Select(p => (p.name, (Tensor)p.parameter)));
        buffers = Pair(source.named_buffers(), average.named_buffers());
        foreach (var (_, avg) in parameters) avg.requires_grad_(false);
        Update(0);
    }

    /// <summary>average = beta * average + (1 - beta) * source; buffers copied.</summary>
    public void Update(double beta)
    {
        using var noGrad = no_grad();
        foreach (var (src, avg) in parameters) avg.lerp_(src, 1 - beta);
        foreach (var (src, avg) in buffers) avg.copy_(src);
    }

    /// <summary>
    /// Per-step decay for a half-life of <paramref name="halfLifeKimg"/> thousand images: 0.5^(B / halfLife).
    /// With a ramp-up the half-life is at most imagesSeen * rampup, so early (poor) weights fade fast.
    /// </summary>
    public static double Beta(int batchSize, double halfLifeKimg, long imagesSeen, double? rampup)
    {
        double halfLife = halfLifeKimg * 1000;
        if (rampup is { } r) halfLife = Math.Min(halfLife, imagesSeen * r);
        return Math.Pow(0.5, batchSize / Math.Max(halfLife, 1e-8));
    }

    static (Tensor, Tensor)[] Pair(IEnumerable<(string name, Tensor tensor)> source, IEnumerable<(string name, Tensor tensor)> average)
    {
        var byName = average.ToDictionary(a => a.name, a => a.tensor);
        var pairs = new List<(Tensor, Tensor)>();
        foreach (var (name, tensor) in source)
        {
            if (!byName.TryGetValue(name, out var twin) || !twin.shape.SequenceEqual(tensor.shape))
                throw new TrainingException("ema-mismatch", $"the average generator has no tensor '{name}' of shape [{string.Join(",", tensor.shape)}]");
            pairs.Add((tensor, twin));
        }
        return [.. pairs];
    }
}
