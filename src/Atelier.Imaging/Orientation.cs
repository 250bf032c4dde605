using System.Runtime.InteropServices;

namespace Atelier.Imaging;

/// <summary>Turns stored pixels into displayed pixels for EXIF orientations 1..8.</summary>
internal static class Orientation
{
    public static RgbaImage Apply(RgbaImage src, int orientation)
    {
        if (orientation is < 2 or > 8)
        {
            return src;
        }

        int w = src.Width, h = src.Height;
        bool swap = orientation >= 5;
        int dw = swap ? h : w, dh = swap ? w : h;
        var dstBytes = new byte[src.Pixels.Length];
        var s = MemoryMarshal.Cast<byte, uint>(src.Pixels.AsSpan());
        var d = MemoryMarshal.Cast<byte, uint>(dstBytes.AsSpan());

        // For each displayed pixel (x, y), the stored pixel (sx, sy) it comes from.
        for (int y = 0; y < dh; y++)
        {
            int row = y * dw;
            for (int x = 0; x < dw; x++)
            {
                (int sx, int sy) = orientation switch
                {
                    2 => (w - 1 - x, y),             // mirror horizontally
                    3 => (w - 1 - x, h - 1 - y),     // rotate 180
                    4 => (x, h - 1 - y),             // mirror vertically
                    5 => (y, x),                     // transpose
                    6 => (y, h - 1 - x),             // rotate 90 clockwise
                    7 => (w - 1 - y, h - 1 - x),     // transverse
                    _ => (w - 1 - y, x),             // 8: rotate 90 counter-clockwise
                };
                d[row + x] = s[sy * w + sx];
            }
        }

        return new RgbaImage(dw, dh, dstBytes);
    }
}
