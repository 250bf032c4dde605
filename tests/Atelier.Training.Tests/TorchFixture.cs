using Atelier.Training.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

/// <summary>Shared set-up for network/loss tests: loads TorchSharp and builds small inputs.</summary>
static class Nets
{
    static Nets() => TorchRuntime.EnsureLoadable();

    public static void Load() => TorchRuntime.EnsureLoadable();

    public static NetworkSpec Spec(ModelKind kind, int resolution, int labelDim, double width = 1.0) =>
        NetworkSpec.Default(kind, resolution, labelDim) with { Width = width };

    /// <summary>One-hot labels of classes 0..B-1 (mod L), or [B,0] when unconditional.</summary>
    public static Tensor OneHot(int batch, int labelDim)
    {
        var labels = zeros(batch, labelDim);
        for (int i = 0; i < batch && labelDim > 0; i++) labels[i, i % labelDim] = 1f;
        return labels;
    }

    /// <summary>Same shape and identical values.</summary>
    public static bool Identical(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && (a == b).all().item<bool>();

    public static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());
}
