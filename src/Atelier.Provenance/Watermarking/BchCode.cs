namespace Atelier.Provenance.Watermarking;

/// <summary>
/// A binary BCH code over GF(2^8) (primitive polynomial x^8+x^4+x^3+x^2+1), shortened: systematic encoding,
/// hard-decision decoding by Berlekamp–Massey and a Chien search. No NuGet package served here implements
/// BCH, hence this small one (tested against random error patterns up to and beyond t).
/// </summary>
internal sealed class BchCode
{
    private const int M = 8;
    private const int FullLength = (1 << M) - 1; // 255
    private const int Primitive = 0x11D;
    private static readonly int[] Exp = new int[2 * FullLength];
    private static readonly int[] Log = new int[FullLength + 1];

    /// <summary>Transmitted bits (after shortening).</summary>
    public int Length { get; }
    /// <summary>Data bits.</summary>
    public int DataBits { get; }
    /// <summary>Errors the decoder corrects.</summary>
    public int CorrectableErrors { get; }

    private readonly bool[] _generator; // coefficients of g(x), index = power
    private readonly int _parityBits;

    static BchCode()
    {
        int x = 1;
        for (int i = 0; i < FullLength; i++)
        {
            Exp[i] = x;
            Log[x] = i;
            x <<= 1;
            if ((x & (1 << M)) != 0) x ^= Primitive;
        }
        for (int i = FullLength; i < 2 * FullLength; i++) Exp[i] = Exp[i - FullLength];
    }

    /// <summary>The narrow-sense code of designed distance 2t+1, shortened to <paramref name="dataBits"/> data bits.</summary>
    public BchCode(int t, int dataBits)
    {
        _generator = Generator(t);
        _parityBits = _generator.Length - 1;
        int fullData = FullLength - _parityBits;
        if (dataBits > fullData || dataBits < 1)
            throw new ArgumentOutOfRangeException(nameof(dataBits), $"BCH(255, {fullData}) with t={t} carries at most {fullData} data bits");
        CorrectableErrors = t;
        DataBits = dataBits;
        Length = _parityBits + dataBits;
    }

    /// <summary>g(x) = product of the distinct minimal polynomials of alpha^1 .. alpha^2t.</summary>
    private static bool[] Generator(int t)
    {
        var seen = new bool[FullLength];
        var g = new List<int> { 1 }; // GF(2^8) coefficients; ends up binary
        for (int i = 1; i <= 2 * t; i++)
        {
            if (seen[i % FullLength]) continue;
            int c = i % FullLength;
            do
            {
                seen[c] = true;
                // g *= (x + alpha^c)
                var next = new int[g.Count + 1];
                for (int j = 0; j < g.Count; j++)
                {
                    next[j + 1] ^= g[j];
                    next[j] ^= Mul(g[j], Exp[c]);
                }
                g = [.. next];
                c = c * 2 % FullLength;
            } while (c != i % FullLength);
        }
        if (g.Any(v => v > 1)) throw new InvalidOperationException("BCH generator is not binary");
        return [.. g.Select(v => v == 1)];
    }

    private static int Mul(int a, int b) => a == 0 || b == 0 ? 0 : Exp[Log[a] + Log[b]];

    /// <summary>
    /// Codeword for <paramref name="data"/> (DataBits bits, bit i of the data at codeword position
    /// parity+i). Positions 0..parity-1 hold the remainder of d(x)x^parity mod g(x).
    /// </summary>
    public bool[] Encode(ReadOnlySpan<bool> data)
    {
        if (data.Length != DataBits) throw new ArgumentException($"expected {DataBits} data bits", nameof(data));
        var word = new bool[Length];
        for (int i = 0; i < DataBits; i++) word[_parityBits + i] = data[i];
        // Long division of the data part by g(x), highest power first.
        var rem = (bool[])word.Clone();
        for (int i = Length - 1; i >= _parityBits; i--)
        {
            if (!rem[i]) continue;
            for (int j = 0; j <= _parityBits; j++) rem[i - _parityBits + j] ^= _generator[j];
        }
        for (int i = 0; i < _parityBits; i++) word[i] = rem[i];
        return word;
    }

    /// <summary>
    /// Corrects up to t errors in place. Returns the number corrected, or -1 when the word is farther
    /// than t from every codeword (as far as the decoder can tell).
    /// </summary>
    public int Decode(Span<bool> word)
    {
        if (word.Length != Length) throw new ArgumentException($"expected {Length} bits", nameof(word));
        int t = CorrectableErrors;
        var syndromes = new int[2 * t + 1];
        bool clean = true;
        for (int j = 1; j <= 2 * t; j++)
        {
            int s = 0;
            for (int i = 0; i < Length; i++)
                if (word[i]) s ^= Exp[(i * j) % FullLength];
            syndromes[j] = s;
            if (s != 0) clean = false;
        }
        if (clean) return 0;

        // Berlekamp–Massey: the error locator Lambda(x).
        var lambda = new int[2 * t + 2];
        var prev = new int[2 * t + 2];
        lambda[0] = prev[0] = 1;
        int l = 0, shift = 1, prevDisc = 1;
        for (int r = 1; r <= 2 * t; r++)
        {
            int disc = syndromes[r];
            for (int i = 1; i <= l; i++) disc ^= Mul(lambda[i], syndromes[r - i]);
            if (disc == 0) { shift++; continue; }
            var copy = (int[])lambda.Clone();
            int coef = Mul(disc, Exp[(FullLength - Log[prevDisc]) % FullLength]);
            for (int i = 0; i + shift < lambda.Length; i++) lambda[i + shift] ^= Mul(coef, prev[i]);
            if (2 * l <= r - 1)
            {
                l = r - l;
                prev = copy;
                prevDisc = disc;
                shift = 1;
            }
            else shift++;
        }
        if (l > t) return -1;

        // Chien search over transmitted positions: an error at i means Lambda(alpha^-i) = 0.
        int found = 0;
        var positions = new int[l];
        for (int i = 0; i < FullLength && found <= l; i++)
        {
            int v = 0;
            for (int k = 0; k <= l; k++)
                if (lambda[k] != 0) v ^= Exp[(Log[lambda[k]] + (FullLength - i) % FullLength * k) % FullLength];
            if (v != 0) continue;
            if (i >= Length || found == l) return -1; // a root in the shortened part: not a codeword nearby
            positions[found++] = i;
        }
        if (found != l) return -1;
        foreach (int p in positions) word[p] = !word[p];
        return l;
    }

    /// <summary>The data bits of a (corrected) codeword.</summary>
    public bool[] Data(ReadOnlySpan<bool> word) => word.Slice(_parityBits, DataBits).ToArray();
}
