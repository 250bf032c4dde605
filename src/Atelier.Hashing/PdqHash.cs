using System.Globalization;
using System.Numerics;

namespace Atelier.Hashing;

/// <summary>
/// A 256-bit PDQ perceptual hash. Bit <c>i*16+j</c> is DCT coefficient (row i, column j) of the
/// 16x16 block; it is stored in <c>W{b/64}</c> at bit <c>b%64</c>, so W0 holds the reference's
/// 16-bit words 0..3 (word 0 lowest) and W3 holds words 12..15.
/// </summary>
public readonly struct PdqHash : IEquatable<PdqHash>
{
    /// <summary>Number of bits in a hash.</summary>
    public const int BitCount = 256;

    /// <summary>Length of the hex text form.</summary>
    public const int HexLength = 64;

    public PdqHash(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        W0 = w0;
        W1 = w1;
        W2 = w2;
        W3 = w3;
    }

    public ulong W0 { get; }
    public ulong W1 { get; }
    public ulong W2 { get; }
    public ulong W3 { get; }

    /// <summary>The all-zero hash (what the reference returns for images under 5 pixels a side).</summary>
    public static PdqHash Zero => default;

    /// <summary>Bit <paramref name="index"/> (0..255), i.e. DCT coefficient (index/16, index%16).</summary>
    public bool this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BitCount);
            return ((Word64(index >> 6) >> (index & 63)) & 1) != 0;
        }
    }

    /// <summary>64-bit word 0..3.</summary>
    public ulong Word64(int index) => index switch
    {
        0 => W0,
        1 => W1,
        2 => W2,
        3 => W3,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "PDQ hashes have 64-bit words 0..3."),
    };

    /// <summary>The reference's 16-bit word 0..15 (word k is DCT row k).</summary>
    public ushort Word16(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 15);
        return (ushort)(Word64(index >> 2) >> ((index & 3) * 16));
    }

    /// <summary>Number of set bits.</summary>
    public int PopCount =>
        BitOperations.PopCount(W0) + BitOperations.PopCount(W1) + BitOperations.PopCount(W2) + BitOperations.PopCount(W3);

    /// <summary>Hamming distance (0..256).</summary>
    public int DistanceTo(PdqHash other) =>
        BitOperations.PopCount(W0 ^ other.W0) + BitOperations.PopCount(W1 ^ other.W1)
        + BitOperations.PopCount(W2 ^ other.W2) + BitOperations.PopCount(W3 ^ other.W3);

    /// <summary>Builds a hash from bits where <paramref name="bits"/>[b] is bit b (b = i*16+j).</summary>
    public static PdqHash FromBits(ReadOnlySpan<bool> bits)
    {
        if (bits.Length != BitCount)
        {
            throw new ArgumentException($"pdq.bits-length: expected {BitCount} bits, got {bits.Length}.", nameof(bits));
        }

        Span<ulong> w = stackalloc ulong[4];
        for (int b = 0; b < BitCount; b++)
        {
            if (bits[b])
            {
                w[b >> 6] |= 1UL << (b & 63);
            }
        }

        return new PdqHash(w[0], w[1], w[2], w[3]);
    }

    /// <summary>
    /// The reference hex form, the one every PDQ tool and hash-sharing list uses: 16-bit word 15 first,
    /// lower-case, 64 digits. The only formatter of PDQ hashes for anything a user sees or gives (its
    /// inverse is <see cref="Parse"/>); the catalog's storage bytes (<see cref="PdqHashBytes"/>) are not this.
    /// </summary>
    public override string ToString() => ToHex();

    /// <summary>The reference hex form (see <see cref="ToString"/>).</summary>
    public string ToHex() => string.Create(HexLength, this, static (span, h) =>
    {
        h.W3.TryFormat(span[..16], out _, "x16", CultureInfo.InvariantCulture);
        h.W2.TryFormat(span[16..32], out _, "x16", CultureInfo.InvariantCulture);
        h.W1.TryFormat(span[32..48], out _, "x16", CultureInfo.InvariantCulture);
        h.W0.TryFormat(span[48..], out _, "x16", CultureInfo.InvariantCulture);
    });

    /// <summary>Parses the reference hex form (64 hex digits, either case, surrounding blanks allowed).</summary>
    /// <exception cref="FormatException">With a <c>pdq.hex</c> reason when the text is not a PDQ hash.</exception>
    public static PdqHash Parse(ReadOnlySpan<char> text)
    {
        if (!TryParse(text, out PdqHash hash))
        {
            string shown = text.Length > 80 ? string.Concat(text[..80], "...") : text.ToString();
            throw new FormatException($"pdq.hex: expected {HexLength} hex digits, got \"{shown}\".");
        }

        return hash;
    }

    /// <summary>Parses the reference hex form; false when the text is not exactly 64 hex digits.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out PdqHash hash)
    {
        text = text.Trim();
        hash = default;
        if (text.Length != HexLength)
        {
            return false;
        }

        const NumberStyles hex = NumberStyles.AllowHexSpecifier;
        CultureInfo inv = CultureInfo.InvariantCulture;
        if (!ulong.TryParse(text[..16], hex, inv, out ulong w3)
            || !ulong.TryParse(text[16..32], hex, inv, out ulong w2)
            || !ulong.TryParse(text[32..48], hex, inv, out ulong w1)
            || !ulong.TryParse(text[48..], hex, inv, out ulong w0))
        {
            return false;
        }

        hash = new PdqHash(w0, w1, w2, w3);
        return true;
    }

    public bool Equals(PdqHash other) => W0 == other.W0 && W1 == other.W1 && W2 == other.W2 && W3 == other.W3;

    public override bool Equals(object? obj) => obj is PdqHash other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(W0, W1, W2, W3);

    public static bool operator ==(PdqHash left, PdqHash right) => left.Equals(right);

    public static bool operator !=(PdqHash left, PdqHash right) => !left.Equals(right);
}
