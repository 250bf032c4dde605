using System.Runtime.InteropServices;

namespace Atelier.Bench.Decode;

/// <summary>
/// The system's libjpeg-turbo through its TurboJPEG API (Debian libturbojpeg0), decoding with the same DCT scaling
/// rule as <c>ImageDecoder</c> (the smallest of 1/8, 1/4, 1/2 whose longer side still reaches the target) to RGBA.
/// Here only to price SkiaSharp's bundled libjpeg-turbo against the system build (docs/benchmarks/decoding.md).
/// </summary>
internal static unsafe partial class TurboJpeg
{
    private const string Library = "libturbojpeg.so.0";
    private const int PixelFormatRgba = 7;

    public static bool Available => NativeLibrary.TryLoad(Library, out _);

    [ThreadStatic] private static IntPtr _handle;

    /// <summary>Decodes to RGBA at the scale chosen for <paramref name="side"/>; returns width, height and pixels.</summary>
    public static (int Width, int Height, byte[] Pixels) Decode(byte[] jpeg, int side)
    {
        if (_handle == IntPtr.Zero) _handle = InitDecompress();
        fixed (byte* source = jpeg)
        {
            if (DecompressHeader(_handle, source, (nuint)jpeg.Length, out var width, out var height, out _, out _) != 0)
                throw new InvalidOperationException("TurboJPEG could not read the header");
            int scale = 1;
            foreach (var d in new[] { 8, 4, 2 })
            {
                if (Math.Max((width + d - 1) / d, (height + d - 1) / d) >= side) { scale = d; break; }
            }
            if (Math.Max(width, height) <= side) scale = 1;
            int w = (width + scale - 1) / scale, h = (height + scale - 1) / scale;
            var pixels = new byte[w * h * 4];
            fixed (byte* target = pixels)
            {
                if (Decompress(_handle, source, (nuint)jpeg.Length, target, w, 0, h, PixelFormatRgba, 0) != 0)
                    throw new InvalidOperationException("TurboJPEG could not decode the image");
            }
            return (w, h, pixels);
        }
    }

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    private static partial IntPtr InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    private static partial int DecompressHeader(IntPtr handle, byte* jpeg, nuint size, out int width, out int height, out int subsampling, out int colorspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    private static partial int Decompress(IntPtr handle, byte* jpeg, nuint size, byte* target, int width, int pitch, int height, int pixelFormat, int flags);
}
