using System.Numerics;
using Atelier.Provenance.Watermarking;
using MathNet.Numerics.IntegralTransforms;

namespace Atelier.Provenance.Tests;

public class Fft2DTests
{
    [Fact]
    public void Matches_Math_NET_row_and_column_transforms_and_inverts()
    {
        const int side = 32;
        var rng = new Random(3);
        var data = new Complex[side * side];
        for (int i = 0; i < data.Length; i++) data[i] = new Complex(rng.NextDouble() - 0.5, 0);
        var original = (Complex[])data.Clone();

        var reference = (Complex[])data.Clone();
        var line = new Complex[side];
        for (int pass = 0; pass < 2; pass++)
            for (int i = 0; i < side; i++)
            {
                for (int j = 0; j < side; j++) line[j] = pass == 0 ? reference[i * side + j] : reference[j * side + i];
                Fourier.Forward(line, FourierOptions.Matlab);
                for (int j = 0; j < side; j++)
                    if (pass == 0) reference[i * side + j] = line[j];
                    else reference[j * side + i] = line[j];
            }

        Fft2D.Forward(data, side);
        for (int i = 0; i < data.Length; i++) Assert.True((data[i] - reference[i]).Magnitude < 1e-9, $"bin {i}: {data[i]} vs {reference[i]}");
        Fft2D.Inverse(data, side);
        for (int i = 0; i < data.Length; i++) Assert.True((data[i] / (side * side) - original[i]).Magnitude < 1e-9, $"sample {i}");
    }
}
