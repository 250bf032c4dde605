using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace Atelier.Governance.Blocklists;

/// <summary>
/// Checks a detached signature over a blocklist file's exact bytes. The public key is PEM
/// SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"): ECDSA P-256 or P-384 over SHA-256 (DER or IEEE P1363
/// signature), RSA PKCS#1 v1.5 over SHA-256 (2048 bits or more), or Ed25519. The signature file may
/// be raw bytes or base64 text.
/// </summary>
public static class BlocklistSignature
{
    private const string EcOid = "1.2.840.10045.2.1";
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string Ed25519Oid = "1.3.101.112";
    private const int MinRsaBits = 2048;
    private const int Ed25519SignatureSize = 64;

    /// <summary>Returns who signed (algorithm and key fingerprint); throws a one-line refusal when the signature does not verify.</summary>
    public static string Verify(byte[] content, byte[] signatureFile, string publicKeyPem)
    {
        var spki = ReadPublicKey(publicKeyPem);
        var signature = SignatureBytes(signatureFile);
        var (algorithm, valid) = Algorithm(spki) switch
        {
            EcOid => VerifyEcdsa(spki, content, signature),
            RsaOid => VerifyRsa(spki, content, signature),
            Ed25519Oid => ("ed25519", VerifyEd25519(spki, content, signature)),
            var other => throw new AtelierException("bad-public-key", $"the public key's algorithm ({other}) is not supported: use ECDSA P-256/P-384, RSA or Ed25519"),
        };
        if (!valid) throw new AtelierException("bad-signature", $"the {algorithm} signature does not match the blocklist file and public key; nothing was imported");
        return $"{algorithm}:{Convert.ToHexStringLower(SHA256.HashData(spki))[..16]}";
    }

    private static byte[] ReadPublicKey(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
            throw new AtelierException("bad-public-key", "the public key is not PEM (expected '-----BEGIN PUBLIC KEY-----')");
        var label = pem[fields.Label];
        if (label != "PUBLIC KEY")
            throw new AtelierException("bad-public-key", $"the PEM block is '{label}'; a SubjectPublicKeyInfo 'PUBLIC KEY' is needed");
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }

    /// <summary>Base64 text when the file is nothing but base64, else the raw bytes.</summary>
    private static byte[] SignatureBytes(byte[] file)
    {
        if (file.Length == 0) throw new AtelierException("bad-signature", "the signature file is empty");
        if (file.All(b => b < 0x80))
        {
            var compact = string.Concat(Encoding.ASCII.GetString(file).Where(c => !char.IsWhiteSpace(c)));
            var buffer = new byte[compact.Length];
            if (compact.Length > 0 && Convert.TryFromBase64String(compact, buffer, out var written)) return buffer[..written];
        }
        return file;
    }

    private static string Algorithm(byte[] spki)
    {
        try
        {
            var outer = new AsnReader(spki, AsnEncodingRules.DER).ReadSequence();
            return outer.ReadSequence().ReadObjectIdentifier();
        }
        catch (AsnContentException)
        {
            throw new AtelierException("bad-public-key", "the public key is not a valid SubjectPublicKeyInfo");
        }
    }

    private static (string, bool) VerifyEcdsa(byte[] spki, byte[] content, byte[] signature)
    {
        using var ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportSubjectPublicKeyInfo(spki, out _);
        }
        catch (CryptographicException)
        {
            throw new AtelierException("bad-public-key", "the ECDSA public key cannot be read");
        }
        var curve = ecdsa.KeySize switch
        {
            256 => "ecdsa-p256",
            384 => "ecdsa-p384",
            _ => throw new AtelierException("bad-public-key", $"ECDSA keys of {ecdsa.KeySize} bits are not supported: use P-256 or P-384"),
        };
        // Both encodings are common (OpenSSL writes DER; JOSE and many HSMs write r||s), so either is accepted.
        var valid = ecdsa.VerifyData(content, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
                    || ecdsa.VerifyData(content, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return (curve, valid);
    }

    private static (string, bool) VerifyRsa(byte[] spki, byte[] content, byte[] signature)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(spki, out _);
        }
        catch (CryptographicException)
        {
            throw new AtelierException("bad-public-key", "the RSA public key cannot be read");
        }
        if (rsa.KeySize < MinRsaBits)
            throw new AtelierException("weak-key", $"the RSA public key has {rsa.KeySize} bits; at least {MinRsaBits} are needed");
        return ($"rsa-{rsa.KeySize}", rsa.VerifyData(content, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    private static bool VerifyEd25519(byte[] spki, byte[] content, byte[] signature)
    {
        var key = ReadEd25519Key(spki);
        if (signature.Length != Ed25519SignatureSize) return false;
        var verifier = new Ed25519Signer();
        verifier.Init(false, key);
        verifier.BlockUpdate(content, 0, content.Length);
        return verifier.VerifySignature(signature);
    }

    private static Ed25519PublicKeyParameters ReadEd25519Key(byte[] spki)
    {
        try
        {
            var outer = new AsnReader(spki, AsnEncodingRules.DER).ReadSequence();
            outer.ReadSequence();
            var key = outer.ReadBitString(out _);
            if (key.Length != Ed25519PublicKeyParameters.KeySize) throw new AtelierException("bad-public-key", "the Ed25519 public key is not 32 bytes");
            return new Ed25519PublicKeyParameters(key);
        }
        catch (AsnContentException)
        {
            throw new AtelierException("bad-public-key", "the Ed25519 public key cannot be read");
        }
    }
}
