using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// A convolution whose k x k kernel covers its whole k x k input (no padding), giving one value per
/// output channel: a matrix product, computed as one. The weight keeps Conv2d's shape and name
/// ([out, in, k, k], "weight"), so checkpoints of either form load into the other. Why not Conv2d:
/// oneDNN (libtorch 2.10) pads a single output channel to a block of 16 and, in the backward pass,
/// reads those padding lanes of the gradient without ever writing them, so whatever an earlier
/// tensor left in that memory reaches the weights' gradient (NaN leftovers gave NaN).
/// </summary>
public sealed class FullKernelConv : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;

    public FullKernelConv(int inChannels, int outChannels, int kernel) : base(nameof(FullKernelConv))
    {
        weight = new Parameter(empty(outChannels, inChannels, kernel, kernel));
        RegisterComponents();
    }

    /// <summary>The [out, in, k, k] kernel.</summary>
    public Parameter Weight => weight;

    /// <summary>[B, in, k, k] to [B, out].</summary>
    public override Tensor forward(Tensor input) =>
        input.flatten(1).mm(weight.view(weight.shape[0], -1).t());
}

/// <summary>
/// A transposed convolution from a vector to a k x k map (stride 1, no padding): a matrix product,
/// computed as one. The weight keeps ConvTranspose2d's shape and name ([in, out, k, k], "weight").
/// Why not ConvTranspose2d: oneDNN (libtorch 2.10) pads input channels that are not a multiple of
/// its block (the DCGAN's 100 latent channels become 112) and reads padding lanes it never wrote, so
/// whatever an earlier tensor left in that memory reaches the output (NaN leftovers gave NaN).
/// </summary>
public sealed class FullKernelConvTranspose : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight;

    public FullKernelConvTranspose(int inChannels, int outChannels, int kernel) : base(nameof(FullKernelConvTranspose))
    {
        weight = new Parameter(empty(inChannels, outChannels, kernel, kernel));
        RegisterComponents();
    }

    /// <summary>The [in, out, k, k] kernel.</summary>
    public Parameter Weight => weight;

    /// <summary>[B, in] to [B, out, k, k].</summary>
    public override Tensor forward(Tensor input) =>
        input.mm(weight.view(weight.shape[0], -1)).view(input.shape[0], weight.shape[1], weight.shape[2], weight.shape[3]);
}
