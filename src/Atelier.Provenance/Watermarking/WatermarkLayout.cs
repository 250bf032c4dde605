using System.Numerics;

namespace Atelier.Provenance.Watermarking;

/// <summary>
/// Where a key puts the mark in the 256x256 luma frame: 1,024 8x8 blocks x 15 low-to-mid DCT coefficients
/// (zig-zag positions 3-17) = 15,360 chips, permuted by the key; 46 chips for each of the 248 code bits,
/// the remaining 3,952 carry a fixed pilot (the sync template). Each chip has a keyed sign; the codeword
/// is XORed with a keyed mask so that a flat image (all correlations 0) does not read as a codeword.
/// </summary>
internal sealed class WatermarkLayout
{
    public const int Side = 256;
    public const int BlocksPerSide = Side / BlockDct.N;
    public const int Blocks = BlocksPerSide * BlocksPerSide;
    public static readonly int[] Band = [16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19];
    public const int Chips = Blocks * 15;
    public const int ChipsPerBit = 46;

    public static readonly BchCode Code = new(t: 29, dataBits: Watermark.PayloadBits);

    /// <summary>Chip c lies in block Chip[c] / 15 at band slot Chip[c] % 15; chips [b*46, b*46+46) carry code bit b; the rest, the pilot.</summary>
    public int[] Chip { get; }
    public float[] Sign { get; }
    public bool[] Mask { get; }
    public int DataChips => Code.Length * ChipsPerBit;

    /// <summary>The 8x8 block chip <paramref name="c"/> lies in.</summary>
    public int BlockOf(int c) => Chip[c] / 15;

    /// <summary>Where chip <paramref name="c"/> lies among the frame's coefficients (block x 64 + its band's zig-zag slot).</summary>
    public int CoefficientOf(int c) => Chip[c] / 15 * 64 + Band[Chip[c] % 15];

    /// <summary>FFT of the pilot's spatial pattern in the frame (for phase correlation).</summary>
    public Complex[] PilotSpectrum { get; }

    private WatermarkLayout(WatermarkKey key)
    {
        var rng = key.Stream("chips");
        Chip = new int[Chips];
        for (int i = 0; i < Chips; i++) Chip[i] = i;
        for (int i = Chips - 1; i > 0; i--)
        {
            int j = rng.Below(i + 1);
            (Chip[i], Chip[j]) = (Chip[j], Chip[i]);
        }
        var signs = key.Stream("signs");
        Sign = new float[Chips];
        for (int i = 0; i < Chips; i++) Sign[i] = signs.Bit() ? 1f : -1f;
        var mask = key.Stream("mask");
        Mask = new bool[Code.Length];
        for (int i = 0; i < Mask.Length; i++) Mask[i] = mask.Bit();

        var pilot = new float[Side * Side];
        Span<float> coef = stackalloc float[64];
        var perBlock = new float[Blocks * 64];
        for (int c = DataChips; c < Chips; c++)
            perBlock[CoefficientOf(c)] = Sign[c];
        for (int b = 0; b < Blocks; b++)
            BlockDct.InverseAdd(perBlock.AsSpan(b * 64, 64), pilot, Side, b % BlocksPerSide, b / BlocksPerSide);
        PilotSpectrum = new Complex[Side * Side];
        for (int i = 0; i < pilot.Length; i++) PilotSpectrum[i] = pilot[i];
        Fft2D.Forward(PilotSpectrum, Side);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<WatermarkKey, WatermarkLayout> Cache = [];

    public static WatermarkLayout For(WatermarkKey key) => Cache.GetValue(key, k => new WatermarkLayout(k));
}
