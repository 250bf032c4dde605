using Atelier.Hashing;

namespace Atelier.Hashing.Tests;

public sealed class PdqHashTests
{
    private const string Bridge = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";

    [Fact]
    public void Hex_round_trips_in_reference_word_order()
    {
        PdqHash h = PdqHash.Parse(Bridge);
        Assert.Equal(Bridge, h.ToString());
        Assert.Equal(0xd8f8, h.Word16(15)); // word 15 printed first
        Assert.Equal(0x9b22, h.Word16(0));
        Assert.True(h[1]);   // 0x9b22 = ...0010: bit 1 set, bit 0 clear
        Assert.False(h[0]);
        Assert.Equal(PdqHash.Parse(Bridge.ToUpperInvariant()), h);
    }

    [Fact]
    public void Stored_bytes_are_shown_as_the_reference_hex_not_as_their_own_hex()
    {
        // bridge-1-original.jpg as pdq-photo-hasher prints it.
        const string reference = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
        byte[] stored = PdqHash.Parse(reference).ToBytes();

        Assert.Equal(reference, PdqHashBytes.ToHex(stored));
        Assert.Equal(reference, PdqHashBytes.FromBytes(stored).ToHex());
        Assert.NotEqual(reference, Convert.ToHexStringLower(stored)); // the storage order is not the reference's
        Assert.Null(PdqHashBytes.ToHex(null));
        Assert.Equal(PdqHash.Parse(reference), PdqHash.Parse(reference.ToUpperInvariant()));
    }

    [Fact]
    public void Distance_counts_differing_bits()
    {
        PdqHash a = PdqHash.Parse(Bridge);
        PdqHash b = PdqHash.Parse("d8f8f0cee0f4a84f0637022a038f67f0b36e2ed596631e1d33e6339c4e9c9b22");
        Assert.Equal(2, a.DistanceTo(b)); // 07->03 and 62->63
        Assert.Equal(0, a.DistanceTo(a));
        Assert.Equal(256, PdqHash.Zero.DistanceTo(new PdqHash(ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue)));
        Assert.Equal(a.PopCount, a.DistanceTo(PdqHash.Zero));
    }

    [Fact]
    public void Equality_and_hash_codes_agree()
    {
        PdqHash a = PdqHash.Parse(Bridge);
        PdqHash b = PdqHash.Parse(Bridge);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, PdqHash.Zero);
    }

    [Fact]
    public void From_bits_sets_bit_i16_plus_j()
    {
        var bits = new bool[256];
        bits[255] = true;
        bits[0] = true;
        PdqHash h = PdqHash.FromBits(bits);
        Assert.Equal("8000" + new string('0', 56) + "0001", h.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("d8f8")]
    [InlineData("g8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")]
    [InlineData("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2200")]
    public void Bad_hex_is_rejected(string text)
    {
        Assert.False(PdqHash.TryParse(text, out _));
        FormatException e = Assert.Throws<FormatException>(() => PdqHash.Parse(text));
        Assert.StartsWith("pdq.hex", e.Message);
    }
}
