using Atelier.Imaging;

namespace Atelier.Evaluation.Features;

/// <summary>
/// Turns an image into what a feature network reads: resized to size x size with Atelier.Imaging's resizer
/// (separable Mitchell–Netravali cubic, stretched when shrinking so it antialiases, the filter dataset
/// export uses; 8-bit sRGB in and out), then planar float values in the network's channel order, scaled
/// and normalised. The resize filter matters: clean-fid (Parmar et al. 2022) measured FID moving by
/// several points between resize implementations, so it is fixed and named in the cache key.
/// </summary>
public static class NetworkInput
{
    /// <summary>Writes 3·size·size values for the uint8 HWC RGB image into <paramref name="destination"/>.</summary>
    public static void Write(ReadOnlySpan<byte> rgb, int width, int height, FeatureNetwork network, int size, Span<float> destination)
    {
        if (rgb.Length != width * height * 3) throw new ArgumentException($"{rgb.Length} bytes are not a {width}x{height} RGB image", nameof(rgb));
        int plane = size * size;
        if (destination.Length < 3 * plane) throw new ArgumentException("destination too short", nameof(destination));
        var resized = ImageResizer.Fit(RgbaImage.FromRgb(rgb, width, height), size, FitMode.Crop, Rgb.White).Pixels;
        bool meanImage = network.Mean.Length == 3 * plane;
        if (!meanImage && network.Mean.Length != 3)
            throw new EvaluationException("bad-features", $"the mean has {network.Mean.Length} values: give 3, or a {size}x{size} mean image");
        for (int c = 0; c < 3; c++)
        {
            // Source channel of output plane c: R,G,B in RGB order, B,G,R in BGR.
            int source = network.Order == ChannelOrder.Rgb ? c : 2 - c;
            var output = destination.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
            {
                float mean = meanImage ? network.Mean[c * plane + i] : network.Mean[c];
                output[i] = (resized[i * 4 + source] * network.Scale - mean) / network.Std[c];
            }
        }
    }
}
