using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>DCGAN widths and initialisation, as in the PyTorch DCGAN example.</summary>
public static class DcganLayout
{
    /// <summary>
    /// Channels of each block from the 4x4 top down: min(512, 64 * 2^(n-1-i)), n = log2(R) - 2.
    /// R=64 gives 512,256,128,64; R=32 gives 256,128,64.
    /// </summary>
    public static int[] Channels(int resolution)
    {
        int n = System.Numerics.BitOperations.Log2((uint)resolution) - 2;
        return [.. Enumerable.Range(0, n).Select(i => Math.Min(512, 64 << (n - 1 - i)))];
    }

    /// <summary>
    /// Conv weights N(0, 0.02); batch-norm weight N(1, 0.02), bias 0. Drawn with Tensor.normal_, not
    /// nn.init.normal_: TorchSharp 0.107's nn.init.normal_ ignores its generator argument.
    /// </summary>
    public static void Initialize(nn.Module module, TorchSharp.torch.Generator? random = null)
    {
        using var noGrad = no_grad();
        foreach (var (_, m) in module.named_modules())
        {
            switch (m)
            {
                case Conv2d c: c.weight.normal_(0, 0.02, random); break;
                case ConvTranspose2d t: t.weight.normal_(0, 0.02, random); break;
                case FullKernelConv f: f.Weight.normal_(0, 0.02, random); break;
                case FullKernelConvTranspose f: f.Weight.normal_(0, 0.02, random); break;
                case BatchNorm2d b:
                    b.weight.normal_(1, 0.02, random);
                    nn.init.zeros_(b.bias);
                    break;
            }
        }
    }
}
