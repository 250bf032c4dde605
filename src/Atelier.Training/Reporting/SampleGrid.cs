using Atelier.Imaging;
using static TorchSharp.torch;

namespace Atelier.Training.Reporting;

/// <summary>Generated images [N,3,H,W] in [-1,1] tiled row by row into one PNG; empty cells are black.</summary>
public static class SampleGrid
{
    public static byte[] EncodePng(Tensor images, int columns)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[0] < 1)
            throw new ArgumentException($"expected images [N,3,H,W], got [{string.Join(",", images.shape)}]", nameof(images));
        int n = (int)images.shape[0], h = (int)images.shape[2], w = (int)images.shape[3];
        columns = Math.Min(columns, n);
        int rows = (n + columns - 1) / columns;

        byte[] hwc = ToBytes(images);

        int width = columns * w, height = rows * h;
        var rgba = new byte[checked(width * height * 4)];
        for (int i = 3; i < rgba.Length; i += 4) rgba[i] = 255;
        for (int k = 0; k < n; k++)
        {
            int left = k % columns * w, top = k / columns * h;
            for (int y = 0; y < h; y++)
            {
                int from = (k * h + y) * w * 3;
                int to = ((top + y) * width + left) * 4;
                for (int x = 0; x < w; x++, from += 3, to += 4)
                {
                    rgba[to] = hwc[from];
                    rgba[to + 1] = hwc[from + 1];
                    rgba[to + 2] = hwc[from + 2];
                }
            }
        }
        return ImageEncoder.EncodePng(new RgbaImage(width, height, rgba));
    }

    /// <summary>Images [N,3,H,W] in [-1,1] as uint8 NHWC bytes (0..255 rounded, the inverse of the loader's v/127.5 - 1).</summary>
    public static byte[] ToBytes(Tensor images)
    {
        using var scope = NewDisposeScope();
        var bytes = images.detach().to(CPU).to_type(ScalarType.Float32).clamp(-1, 1).add(1).mul(127.5).round()
            .to_type(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        return bytes.data<byte>().ToArray();
    }
}
