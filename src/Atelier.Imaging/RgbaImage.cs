namespace Atelier.Imaging;

/// <summary>
/// Decoded pixels: unpremultiplied RGBA, 8 bits per channel, sRGB, rows top to bottom,
/// row stride exactly <c>Width * 4</c>.
/// </summary>
public sealed class RgbaImage
{
    public RgbaImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.LongLength != (long)width * height * 4)
        {
            throw new ArgumentException($"Expected {(long)width * height * 4} bytes for {width}x{height} RGBA, got {pixels.LongLength}.", nameof(pixels));
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>An opaque image from packed 8-bit RGB (3 bytes a pixel, rows top to bottom).</summary>
    public static RgbaImage FromRgb(ReadOnlySpan<byte> rgb, int width, int height)
    {
        if (rgb.Length != (long)width * height * 3)
            throw new ArgumentException($"{rgb.Length} bytes are not a {width}x{height} RGB image", nameof(rgb));
        var rgba = new byte[checked(width * height * 4)];
        for (int s = 0, d = 0; s < rgb.Length; s += 3, d += 4)
        {
            rgba[d] = rgb[s];
            rgba[d + 1] = rgb[s + 1];
            rgba[d + 2] = rgb[s + 2];
            rgba[d + 3] = 255;
        }
        return new RgbaImage(width, height, rgba);
    }

    /// <summary>Packed 8-bit RGB, alpha dropped (composite first where transparency matters, <see cref="ImageResizer.CompositeInPlace"/>).</summary>
    public byte[] ToRgb()
    {
        var rgb = new byte[checked(Width * Height * 3)];
        for (int s = 0, d = 0; d < rgb.Length; s += 4, d += 3)
        {
            rgb[d] = Pixels[s];
            rgb[d + 1] = Pixels[s + 1];
            rgb[d + 2] = Pixels[s + 2];
        }
        return rgb;
    }

    /// <summary>A new image filled with one colour.</summary>
    public static RgbaImage Filled(int width, int height, byte r, byte g, byte b, byte a = 255)
    {
        var pixels = new byte[checked(width * height * 4)];
        for (int i = 0; i < pixels.Length; i += 4)
        {
            pixels[i] = r;
            pixels[i + 1] = g;
            pixels[i + 2] = b;
            pixels[i + 3] = a;
        }

        return new RgbaImage(width, height, pixels);
    }

    public int Width { get; }

    public int Height { get; }

    public byte[] Pixels { get; }

    public int Stride => Width * 4;

    /// <summary>The RGBA bytes of one pixel.</summary>
    public (byte R, byte G, byte B, byte A) GetPixel(int x, int y)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        ArgumentOutOfRangeException.ThrowIfNegative(y);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(x, Width);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(y, Height);
        int i = (y * Width + x) * 4;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2], Pixels[i + 3]);
    }

    public RgbaImage Clone() => new(Width, Height, (byte[])Pixels.Clone());

    /// <summary>A copy of a rectangle of this image.</summary>
    public RgbaImage Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > Width || y + height > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"Crop {x},{y} {width}x{height} is outside {Width}x{Height}.");
        }

        var pixels = new byte[width * height * 4];
        for (int row = 0; row < height; row++)
        {
            Buffer.BlockCopy(Pixels, ((y + row) * Width + x) * 4, pixels, row * width * 4, width * 4);
        }

        return new RgbaImage(width, height, pixels);
    }
}

/// <summary>An opaque colour, used as the background that transparency is composited over.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static Rgb White => new(255, 255, 255);

    public static Rgb Black => new(0, 0, 0);
}
