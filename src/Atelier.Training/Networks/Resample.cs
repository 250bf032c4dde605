using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// Bilinear 2x resampling. Up: bilinear interpolation. Down: its adjoint, the separable
/// [1,3,3,1]/8 filter at stride 2 per channel, so downsampling is antialiased instead of dropping pixels.
/// </summary>
public static class Resample
{
    static readonly float[] Taps = [1 / 8f, 3 / 8f, 3 / 8f, 1 / 8f];

    public static Tensor Up(Tensor x) =>
        nn.functional.interpolate(x, scale_factor: [2, 2], mode: InterpolationMode.Bilinear, align_corners: false);

    public static Tensor Down(Tensor x)
    {
        long channels = x.shape[1];
        using var taps = tensor(Taps, dtype: x.dtype, device: x.device);
        using var kernel2d = outer(taps, taps);
        using var kernel = kernel2d.expand(channels, 1, 4, 4);
        return nn.functional.conv2d(x, kernel, strides: [2, 2], padding: [1, 1], groups: channels);
    }
}
