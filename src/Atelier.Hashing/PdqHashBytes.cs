using System.Buffers.Binary;

namespace Atelier.Hashing;

/// <summary>
/// The 32-byte storage form of a PDQ hash (words W0..W3, little-endian), as kept in the catalog. Never shown
/// as is: its hex is not the reference hex (the byte order differs), so text goes through <see cref="ToHex"/>.
/// </summary>
public static class PdqHashBytes
{
    public const int Length = 32;

    public static byte[] ToBytes(this PdqHash hash)
    {
        var bytes = new byte[Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(0), hash.W0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), hash.W1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(16), hash.W2);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(24), hash.W3);
        return bytes;
    }

    /// <summary>A stored hash in the reference hex form (<see cref="PdqHash.ToHex"/>); null for none.</summary>
    public static string? ToHex(byte[]? stored) => stored is null ? null : FromBytes(stored).ToHex();

    public static PdqHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length) throw new ArgumentException($"a stored PDQ hash has {Length} bytes, not {bytes.Length}", nameof(bytes));
        return new PdqHash(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]));
    }
}
