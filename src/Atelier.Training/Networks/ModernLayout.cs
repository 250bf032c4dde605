using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// Widths and initialisation of the modern (R3GAN-style) networks. Channels per stage, from the
/// 4x4 top down: min(128, 2048 / side) times the spec's width multiplier (rounded to a multiple of
/// 8, at least 16), so the doubled (inverted-bottleneck) width splits into groups of <see cref="GroupSize"/>.
/// Halving the width per doubling of the side above 16x16 keeps each stage's cost alike, so the
/// full-resolution stages, which dominate on a CPU, stay affordable. Width 1 trains at a few
/// images/s at 64x64 on 2 CPU cores (docs/decisions/0002-modern-gan.md); width 2 gives R3GAN's
/// CIFAR-10 proportions (256 channels at the low resolutions).
/// </summary>
public static class ModernLayout
{
    /// <summary>Channels per group in the grouped 3x3 conv (R3GAN: 16 at FFHQ 64x64, 4 at CIFAR-10; 8 halves the 3x3 cost of 16).</summary>
    public const int GroupSize = 8;

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
            double c = Math.Min(128, 2048.0 / side) * width;
            return Math.Max(16, (int)Math.Round(c / 8) * 8);
        })];
    }

    /// <summary>He-normal weights for a layer followed by leaky ReLU, scaled by <paramref name="scale"/>; zero bias.</summary>
    public static void InitActivated(Tensor weight, Tensor? bias, double scale, TorchSharp.torch.Generator? random) =>
        InitNormal(weight, bias, Math.Sqrt(2 / (1 + Slope * Slope)) * scale, random);

    /// <summary>Variance-preserving weights for a linear (not activated) layer; zero bias.</summary>
    public static void InitLinear(Tensor weight, Tensor? bias, TorchSharp.torch.Generator? random) => InitNormal(weight, bias, 1, random);

    static void InitNormal(Tensor weight, Tensor? bias, double gain, TorchSharp.torch.Generator? random)
    {
        using var noGrad = no_grad();
        long fanIn = weight.numel() / weight.shape[0];
        weight.normal_(0, gain / Math.Sqrt(fanIn), random); // not nn.init.normal_, which ignores the generator
        if (bias is not null) nn.init.zeros_(bias);
    }
}
