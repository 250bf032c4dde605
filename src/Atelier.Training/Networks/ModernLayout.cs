using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// Widths and initialisation of the modern (R3GAN-style) networks. Channels per stage, from the
/// 4x4 top down: min(256, 8192 / side) times the spec's width multiplier, a multiple of 8 so the
/// doubled (inverted-bottleneck) width splits into groups of <see cref="GroupSize"/>.
/// </summary>
public static class ModernLayout
{
    /// <summary>Channels per group in the grouped 3x3 conv (R3GAN uses 16 at 64x64).</summary>
    public const int GroupSize = 16;

    /// <summary>Inverted-bottleneck expansion of each residual branch (R3GAN: 2).</summary>
    public const int Expansion = 2;

    /// <summary>Residual blocks per resolution stage (R3GAN: 2).</summary>
    public const int BlocksPerStage = 2;

    /// <summary>Leaky ReLU slope, as R3GAN and StyleGAN.</summary>
    public const double Slope = 0.2;

    /// <summary>Channels of each stage from 4x4 to the output resolution.</summary>
    public static int[] Channels(int resolution, double width)
    {
        int stages = System.Numerics.BitOperations.Log2((uint)resolution) - 1;
        return [.. Enumerable.Range(0, stages).Select(i =>
        {
            int side = 4 << i;
            double c = Math.Min(256, 8192.0 / side) * width;
            return Math.Max(16, (int)Math.Round(c / 8) * 8);
        })];
    }

    /// <summary>He-normal weights for a layer followed by leaky ReLU, scaled by <paramref name="scale"/>; zero bias.</summary>
    public static void InitActivated(Tensor weight, Tensor? bias, double scale) =>
        InitNormal(weight, bias, Math.Sqrt(2 / (1 + Slope * Slope)) * scale);

    /// <summary>Variance-preserving weights for a linear (not activated) layer; zero bias.</summary>
    public static void InitLinear(Tensor weight, Tensor? bias) => InitNormal(weight, bias, 1);

    static void InitNormal(Tensor weight, Tensor? bias, double gain)
    {
        using var noGrad = no_grad();
        long fanIn = weight.numel() / weight.shape[0];
        nn.init.normal_(weight, 0, gain / Math.Sqrt(fanIn));
        if (bias is not null) nn.init.zeros_(bias);
    }
}
