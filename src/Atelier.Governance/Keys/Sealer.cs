using System.Security.Cryptography;
using System.Text;

namespace Atelier.Governance.Keys;

/// <summary>
/// Encrypts personal data and quarantined bytes with AES-256-GCM under the workspace key.
/// A sealed value is: "ASL1", key id (16 ASCII hex), nonce (12), tag (16), ciphertext. The purpose
/// (e.g. "subject S-1a2b") is authenticated, so a sealed value cannot be moved to another row.
/// </summary>
public sealed class Sealer(KeyRing keys)
{
    private static readonly byte[] Magic = "ASL1"u8.ToArray();
    private const int IdLength = 16, NonceLength = 12, TagLength = 16;
    private const int HeaderLength = 4 + IdLength + NonceLength + TagLength;
    private const string Purpose = "atelier seal v1";

    public byte[] Seal(ReadOnlySpan<byte> plain, string purpose)
    {
        var key = keys.Active;
        var output = new byte[HeaderLength + plain.Length];
        Magic.CopyTo(output, 0);
        Encoding.ASCII.GetBytes(key.Id, output.AsSpan(4, IdLength));
        var nonce = output.AsSpan(4 + IdLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var gcm = new AesGcm(key.Derive(Purpose), TagLength);
        gcm.Encrypt(nonce, plain, output.AsSpan(HeaderLength), output.AsSpan(4 + IdLength + NonceLength, TagLength), Encoding.UTF8.GetBytes(purpose));
        return output;
    }

    public byte[] Seal(string plain, string purpose) => Seal(Encoding.UTF8.GetBytes(plain), purpose);

    /// <summary>Decrypts; a one-line reason when the value was altered, sealed for another purpose or with an unknown key.</summary>
    public byte[] Open(ReadOnlySpan<byte> sealedValue, string purpose)
    {
        if (sealedValue.Length < HeaderLength || !sealedValue[..4].SequenceEqual(Magic))
            throw new AtelierException("bad-seal", $"sealed data for {purpose} is not in Atelier's sealed format");
        var key = keys.Find(Encoding.ASCII.GetString(sealedValue.Slice(4, IdLength)));
        var plain = new byte[sealedValue.Length - HeaderLength];
        try
        {
            using var gcm = new AesGcm(key.Derive(Purpose), TagLength);
            gcm.Decrypt(sealedValue.Slice(4 + IdLength, NonceLength), sealedValue[HeaderLength..], sealedValue.Slice(4 + IdLength + NonceLength, TagLength),
                plain, Encoding.UTF8.GetBytes(purpose));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new AtelierException("bad-seal", $"sealed data for {purpose} does not authenticate (altered, or sealed for something else)");
        }
        return plain;
    }

    public string OpenText(ReadOnlySpan<byte> sealedValue, string purpose) => Encoding.UTF8.GetString(Open(sealedValue, purpose));

    /// <summary>The id of the key a sealed value was made with (rotation re-seals values whose key is not the active one).</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> sealedValue) =>
        sealedValue.Length >= HeaderLength ? Encoding.ASCII.GetString(sealedValue.Slice(4, IdLength)) : "";

    public bool IsCurrent(ReadOnlySpan<byte> sealedValue) => KeyIdOf(sealedValue) == keys.Active.Id;
}
