using System.Security.Cryptography;
using System.Text;

namespace Atelier.Governance.Keys;

/// <summary>
/// One 256-bit workspace key. Each use gets its own subkey (HKDF-SHA256 with a purpose label), so the
/// sealing key and the audit key are never the same bytes.
/// </summary>
public sealed class WorkspaceKey
{
    public const int Length = 32;
    private readonly byte[] _material;

    /// <summary>Short public name of the key: the first 16 hex digits of the SHA-256 of a derived identifier.</summary>
    public string Id { get; }
    public DateTimeOffset Created { get; }
    public DateTimeOffset? Retired { get; }

    internal WorkspaceKey(byte[] material, DateTimeOffset created, DateTimeOffset? retired)
    {
        if (material.Length != Length) throw new AtelierException("bad-key", $"a workspace key is {Length} bytes, not {material.Length}");
        _material = material;
        Created = created;
        Retired = retired;
        Id = Convert.ToHexStringLower(Derive("atelier key id v1"))[..16];
    }

    internal static WorkspaceKey Generate() => new(RandomNumberGenerator.GetBytes(Length), DateTimeOffset.UtcNow, null);

    internal WorkspaceKey Retire(DateTimeOffset when) => new(_material, Created, when);

    internal string MaterialBase64 => Convert.ToBase64String(_material);

    /// <summary>
    /// The secret a later stage keys the invisible watermark with (Provenance's WatermarkKey derives its
    /// own keys from it). A subkey, never the key material itself, so a leaked watermark key opens no seal.
    /// </summary>
    public byte[] WatermarkSecret() => Derive("atelier watermark v1");

    /// <summary>A 32-byte subkey for one purpose.</summary>
    internal byte[] Derive(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _material, Length, salt: [], info: Encoding.UTF8.GetBytes(purpose));
}
