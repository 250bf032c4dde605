using Atelier.Training.Networks;

namespace Atelier.Bench.Training;

/// <summary>Multiply-accumulates of one conv layer for one image; <paramref name="Name"/> is its shape.</summary>
public sealed record ConvLayer(string Name, long Macs);

/// <summary>
/// FLOPs of one DCGAN training iteration as the PyTorch example runs it (dcgan/main.py), from the
/// layer shapes: conv and transposed-conv multiply-accumulates only (batch norm, activations, the
/// loss and Adam are element-wise, well under 1% here). A FLOP is half a MAC.
/// Forward = MACs; backward = one forward's worth for the weight gradient plus one for the input
/// gradient, the latter skipped where the input needs none (z into G; real images and detached
/// fakes into D's first layer in the D step).
/// Per image: D step = D fwd on real + D fwd on fake + their backward; G step = D fwd on the same
/// fake again + backward through D (input and weight grads, as autograd does) and G; plus one G forward.
/// </summary>
public sealed record DcganFlops(int Resolution, int Batch, IReadOnlyList<ConvLayer> GeneratorLayers, IReadOnlyList<ConvLayer> DiscriminatorLayers)
{
    public long GeneratorMacs => GeneratorLayers.Sum(l => l.Macs);
    public long DiscriminatorMacs => DiscriminatorLayers.Sum(l => l.Macs);

    /// <summary>MACs per image of one iteration of the example's loop.</summary>
    public long MacsPerImage
    {
        get
        {
            long g = GeneratorMacs, g0 = GeneratorLayers[0].Macs, d = DiscriminatorMacs, d0 = DiscriminatorLayers[0].Macs;
            long dStep = 2 * d + 2 * (2 * d - d0);  // fwd real + fake, bwd without input grad at D's first layer
            long gStep = d + 2 * d + (2 * g - g0);  // fwd fake again, bwd through D, bwd through G (no grad for z)
            return g + dStep + gStep;
        }
    }

    /// <summary>FLOPs of one iteration (batch included).</summary>
    public double Flops => 2.0 * MacsPerImage * Batch;

    /// <summary>The same with a second G forward (a loop that regenerates the fakes for its G step).</summary>
    public double FlopsWithSecondGeneratorForward => Flops + 2.0 * GeneratorMacs * Batch;

    public static DcganFlops Iteration(int resolution, int batch)
    {
        int[] c = DcganLayout.Channels(resolution);
        int z = NetworkSpec.DefaultLatentDim(ModelKind.Dcgan);
        var g = new List<ConvLayer> { Transposed(1, z, c[0]) };
        for (int i = 1; i < c.Length; i++) g.Add(Transposed(4 << (i - 1), c[i - 1], c[i]));
        g.Add(Transposed(resolution / 2, c[^1], 3));

        int[] dc = [.. c.Reverse()];
        var d = new List<ConvLayer> { Strided(resolution / 2, 3, dc[0]) };
        for (int i = 1; i < dc.Length; i++) d.Add(Strided(resolution >> (i + 1), dc[i - 1], dc[i]));
        d.Add(new ConvLayer($"conv {dc[^1]}->1 4x4 valid", 16L * dc[^1]));
        return new DcganFlops(resolution, batch, g, d);
    }

    // 4x4 kernels throughout: a transposed conv does Cin*Cout*16 MACs per input pixel, a conv per output pixel.
    static ConvLayer Transposed(int inputSide, int cin, int cout) =>
        new($"convT {cin}->{cout} from {inputSide}x{inputSide}", (long)inputSide * inputSide * cin * cout * 16);

    static ConvLayer Strided(int outputSide, int cin, int cout) =>
        new($"conv {cin}->{cout} to {outputSide}x{outputSide}", (long)outputSide * outputSide * cin * cout * 16);

    public string Describe() =>
        $"DCGAN {Resolution}x{Resolution}, batch {Batch}: G forward {GeneratorMacs / 1e6:0.0} MMAC/image, D forward {DiscriminatorMacs / 1e6:0.0} MMAC/image; "
        + $"one iteration {MacsPerImage / 1e6:0.0} MMAC/image = {Flops / 1e9:0.0} GFLOP "
        + $"({FlopsWithSecondGeneratorForward / 1e9:0.0} GFLOP with a second G forward)";
}
