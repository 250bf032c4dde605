using System.Security.Cryptography;
using System.Text;
using Atelier.Catalog;
using Atelier.Governance.Blocklists;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Atelier.Governance.Tests;

public class BlocklistSignatureTests
{
    private static readonly byte[] List = Encoding.ASCII.GetBytes("# vendor list 7\n098f6bcd4621d373cade4e832627b4f6\n");
    private static readonly byte[] Tampered = Encoding.ASCII.GetBytes("# vendor list 7\n098f6bcd4621d373cade4e832627b4f7\n");

    [Theory]
    [InlineData(256, DSASignatureFormat.Rfc3279DerSequence)]
    [InlineData(256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)]
    [InlineData(384, DSASignatureFormat.Rfc3279DerSequence)]
    public void EcdsaSignaturesVerifyAndATamperedListDoesNot(int bits, DSASignatureFormat format)
    {
        using var key = ECDsa.Create(bits == 256 ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
        var pem = key.ExportSubjectPublicKeyInfoPem();
        var signature = key.SignData(List, HashAlgorithmName.SHA256, format);
        Assert.StartsWith($"ecdsa-p{bits}:", BlocklistSignature.Verify(List, signature, pem));
        var e = Assert.Throws<AtelierException>(() => BlocklistSignature.Verify(Tampered, signature, pem));
        Assert.Equal("bad-signature", e.Code);
    }

    [Fact]
    public void Base64SignatureFilesAreReadAsWellAsRawOnes()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = key.SignData(List, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var wrapped = Encoding.ASCII.GetBytes(Convert.ToBase64String(signature, Base64FormattingOptions.InsertLineBreaks) + "\n");
        var signer = BlocklistSignature.Verify(List, wrapped, key.ExportSubjectPublicKeyInfoPem());
        // The signer names the key by a fingerprint of its public part, the same every time.
        Assert.Equal(signer, BlocklistSignature.Verify(List, signature, key.ExportSubjectPublicKeyInfoPem()));
    }

    [Fact]
    public void RsaPkcs1Sha256VerifiesAndShortKeysAreRefused()
    {
        using var rsa = RSA.Create(2048);
        var signature = rsa.SignData(List, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.StartsWith("rsa-2048:", BlocklistSignature.Verify(List, signature, rsa.ExportSubjectPublicKeyInfoPem()));
        Assert.Equal("bad-signature", Assert.Throws<AtelierException>(() => BlocklistSignature.Verify(Tampered, signature, rsa.ExportSubjectPublicKeyInfoPem())).Code);

        using var weak = RSA.Create(1024);
        var weakSignature = weak.SignData(List, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.Equal("weak-key", Assert.Throws<AtelierException>(() => BlocklistSignature.Verify(List, weakSignature, weak.ExportSubjectPublicKeyInfoPem())).Code);
    }

    [Fact]
    public void Ed25519Verifies()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var signer = new Ed25519Signer();
        signer.Init(true, pair.Private);
        signer.BlockUpdate(List, 0, List.Length);
        var signature = signer.GenerateSignature();
        var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo((Ed25519PublicKeyParameters)pair.Public).GetEncoded();
        var pem = new string(PemEncoding.Write("PUBLIC KEY", spki));
        Assert.StartsWith("ed25519:", BlocklistSignature.Verify(List, signature, pem));
        Assert.Equal("bad-signature", Assert.Throws<AtelierException>(() => BlocklistSignature.Verify(Tampered, signature, pem)).Code);
    }

    [Fact]
    public void SomeoneElsesKeyDoesNotVerify()
    {
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = signer.SignData(List, HashAlgorithmName.SHA256);
        Assert.Equal("bad-signature", Assert.Throws<AtelierException>(() => BlocklistSignature.Verify(List, signature, other.ExportSubjectPublicKeyInfoPem())).Code);
    }

    [Fact]
    public void KeysThatAreNotPublicKeyPemAreRefused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = key.SignData(List, HashAlgorithmName.SHA256);
        Assert.Equal("bad-public-key", Assert.Throws<AtelierException>(() => BlocklistSignature.Verify(List, signature, "not a key")).Code);
        var e = Assert.Throws<AtelierException>(() => BlocklistSignature.Verify(List, signature, key.ExportPkcs8PrivateKeyPem()));
        Assert.Equal("bad-public-key", e.Code);
        Assert.Contains("PRIVATE KEY", e.Message);
        Assert.Equal("bad-signature", Assert.Throws<AtelierException>(() => BlocklistSignature.Verify(List, [], key.ExportSubjectPublicKeyInfoPem())).Code);
    }
}
