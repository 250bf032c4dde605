using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// Bilinear 2x resampling. Up: bilinear interpolation. Down: its adjoint, the separable
/// [1,3,3,1]/8 filter at stride 2 per channel (zero border), so downsampling is antialiased
/// instead of dropping pixels.
/// </summary>
public static class Resample
{
    static readonly float[] Taps = [1 / 8f, 3 / 8f, 3 / 8f, 1 / 8f];
    static readonly float[] UpTaps = [1 / 4f, 3 / 4f, 3 / 4f, 1 / 4f];

    /// <summary>
    /// Exact bilinear 2x upsampling (align_corners = false): edge-replicated, then a per-channel
    /// stride-2 transposed conv with the separable [1,3,3,1]/4 kernel. Measured several times faster
    /// on CPU than libtorch's interpolate, with the same values.
    /// </summary>
    public static Tensor Up(Tensor x)
    {
        long channels = x.shape[1];
        using var taps = tensor(UpTaps, dtype: x.dtype, device: x.device);
        using var kernel2d = outer(taps, taps);
        using var kernel = kernel2d.expand(channels, 1, 4, 4);
        using var padded = nn.functional.pad(x, [1, 1, 1, 1], TorchSharp.PaddingModes.Replicate);
        return nn.functional.conv_transpose2d(padded, kernel, strides: [2, 2], padding: [3, 3], groups: channels);
    }

    public static Tensor Down(Tensor x)
    {
        long channels = x.shape[1];
        using var taps = tensor(Taps, dtype: x.dtype, device: x.device);
        using var kernel2d = outer(taps, taps);
        using var kernel = kernel2d.expand(channels, 1, 4, 4);
        return nn.functional.conv2d(x, kernel, strides: [2, 2], padding: [1, 1], groups: channels);
    }
}
