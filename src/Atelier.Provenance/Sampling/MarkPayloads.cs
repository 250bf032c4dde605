using System.Buffers.Binary;
using System.Security.Cryptography;
using Atelier.Catalog;

namespace Atelier.Provenance.Sampling;

/// <summary>
/// Watermark payloads: 64 bits from the operating system's CSPRNG, so that no one can predict another sample's payload or
/// forge a plausible one from a sample they have, and checked unused in the catalog before embedding (the catalog's unique
/// index refuses a payload raced in by another process at the same moment).
/// </summary>
public static class MarkPayloads
{
    public static string ToHex(ulong payload) => payload.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    public static ulong Parse(string hex) => ulong.Parse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A payload no recorded sample and none of <paramref name="taken"/> holds; never 0 or all ones (what a blank or saturated image decodes to).</summary>
    public static ulong Draw(Catalog.Catalog catalog, ISet<ulong> taken)
    {
        Span<byte> bytes = stackalloc byte[8];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            ulong payload = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            if (payload is 0 or ulong.MaxValue || taken.Contains(payload) || catalog.IsMarkPayloadTaken(ToHex(payload))) continue;
            taken.Add(payload);
            return payload;
        }
    }
}
