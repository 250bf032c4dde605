using Atelier.Imaging;
using SkiaSharp;

namespace Atelier.TestSupport;

/// <summary>What others do to an image after it leaves us, done with a library we did not write (Skia).</summary>
public static class ImageAttacks
{
    /// <summary>Turns the image about its centre, same size, bilinear; the corners it uncovers take the nearest edge.</summary>
    public static unsafe RgbaImage Rotate(RgbaImage source, float degrees)
    {
        ArgumentNullException.ThrowIfNull(source);
        int w = source.Width, h = source.Height;
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        fixed (byte* p = source.Pixels) bitmap.InstallPixels(info, (IntPtr)p, info.RowBytes);
        using var image = SKImage.FromBitmap(bitmap);
        using var surface = SKSurface.Create(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        using var shader = image.ToShader(SKShaderTileMode.Clamp, SKShaderTileMode.Clamp, new SKSamplingOptions(SKFilterMode.Linear));
        using var paint = new SKPaint { Shader = shader };
        canvas.Translate(w / 2f, h / 2f);
        canvas.RotateDegrees(degrees);
        canvas.Translate(-w / 2f, -h / 2f);
        canvas.DrawRect(-w, -h, 3 * w, 3 * h, paint);
        var pixels = new byte[w * h * 4];
        fixed (byte* p = pixels) surface.ReadPixels(info, (IntPtr)p, w * 4, 0, 0);
        return new RgbaImage(w, h, pixels);
    }
}
