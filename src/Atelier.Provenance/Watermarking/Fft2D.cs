using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace Atelier.Provenance.Watermarking;

/// <summary>2D FFT as rows then columns of Math.NET's 1D transform (its managed provider has no multi-dimensional one).</summary>
internal static class Fft2D
{
    public static void Forward(Complex[] data, int side) => Run(data, side, inverse: false);

    public static void Inverse(Complex[] data, int side) => Run(data, side, inverse: true);

    private static void Run(Complex[] data, int side, bool inverse)
    {
        var line = new Complex[side];
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < side; i++)
            {
                for (int j = 0; j < side; j++) line[j] = pass == 0 ? data[i * side + j] : data[j * side + i];
                if (inverse) Fourier.Inverse(line, FourierOptions.Matlab);
                else Fourier.Forward(line, FourierOptions.Matlab);
                for (int j = 0; j < side; j++)
                    if (pass == 0) data[i * side + j] = line[j];
                    else data[j * side + i] = line[j];
            }
    }
}
