using System.Security.Cryptography;
using System.Text;
using Atelier.Governance.Keys;

namespace Atelier.Provenance.Watermarking;

/// <summary>
/// The secret that places the watermark: which DCT coefficients carry which bit, their signs, the sync
/// template and the mask over the codeword. Derived from the workspace secret with HKDF-SHA256, so each
/// workspace marks differently and a detector without the key finds nothing.
/// </summary>
public sealed class WatermarkKey
{
    private const string Purpose = "atelier watermark layout v1";
    internal byte[] Material { get; }

    private WatermarkKey(byte[] material) => Material = material;

    /// <summary>From the secret a workspace key gives for watermarking (<see cref="WorkspaceKey.WatermarkSecret"/>) or any other 16+ byte secret.</summary>
    public static WatermarkKey Derive(ReadOnlySpan<byte> workspaceSecret)
    {
        if (workspaceSecret.Length < 16) throw new ArgumentException("a watermark secret has at least 16 bytes", nameof(workspaceSecret));
        return new WatermarkKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, workspaceSecret.ToArray(), 32, salt: [], info: Encoding.UTF8.GetBytes(Purpose)));
    }

    /// <summary>The key of a workspace key (the active one marks; after a rotation, detect with each key of the ring).</summary>
    public static WatermarkKey For(WorkspaceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Derive(key.WatermarkSecret());
    }

    /// <summary>A deterministic stream for one use of the key (xoshiro256** seeded by HMAC-SHA256).</summary>
    internal KeyStream Stream(string use) => new(HMACSHA256.HashData(Material, Encoding.UTF8.GetBytes(use)));
}

/// <summary>xoshiro256**: fast, and the same numbers on every platform and .NET version (System.Random promises neither).</summary>
internal sealed class KeyStream
{
    private ulong _s0, _s1, _s2, _s3;

    public KeyStream(ReadOnlySpan<byte> seed32)
    {
        _s0 = BitConverter.ToUInt64(seed32[..8]);
        _s1 = BitConverter.ToUInt64(seed32[8..16]);
        _s2 = BitConverter.ToUInt64(seed32[16..24]);
        _s3 = BitConverter.ToUInt64(seed32[24..32]);
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 1;
    }

    public ulong Next()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n).</summary>
    public int Below(int n) => (int)((Next() >> 32) * (ulong)n >> 32);

    public bool Bit() => (Next() >> 63) != 0;
}
