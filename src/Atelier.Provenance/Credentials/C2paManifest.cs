using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// Writes a C2PA manifest store (C2PA 2.x, claim v2) with one manifest: the assertions <c>c2pa.actions.v2</c>
/// (<c>c2pa.created</c> with IPTC's trainedAlgorithmicMedia), <c>c2pa.hash.data</c> (the hard binding: SHA-256 of the
/// file without the store's own bytes) and, when there is a watermark, <c>c2pa.soft-binding</c>; the claim lists their
/// hashes and is signed as a COSE_Sign1 (ES256, detached payload, certificate chain in x5chain).
/// </summary>
internal static class C2paManifest
{
    public const string ClaimLabel = "c2pa.claim.v2", ActionsLabel = "c2pa.actions.v2", HashDataLabel = "c2pa.hash.data",
        SoftBindingLabel = "c2pa.soft-binding", AssertionsLabel = "c2pa.assertions", SignatureLabel = "c2pa.signature";
    public const string Created = "c2pa.created", Watermarked = "c2pa.watermarked";
    public const long X5Chain = 33;

    /// <summary>
    /// The manifest store bytes. Its length does not depend on <paramref name="assetHash"/> or the signature's value
    /// (SHA-256 and ES256 sizes are fixed), so it can be measured with a placeholder hash and then written for real.
    /// </summary>
    public static byte[] Build(CredentialClaim claim, SigningIdentity signer, string manifestLabel, long exclusionStart, long exclusionLength, byte[] assetHash)
    {
        var actions = AssertionBox(ActionsLabel, ActionsCbor(claim));
        var hashData = AssertionBox(HashDataLabel, HashDataCbor(exclusionStart, exclusionLength, assetHash));
        List<(string Label, byte[] Box)> assertions = [(ActionsLabel, actions), (HashDataLabel, hashData)];
        if (claim.WatermarkPayload is { } payload) assertions.Add((SoftBindingLabel, AssertionBox(SoftBindingLabel, SoftBindingCbor(claim.WatermarkAlgorithm, payload))));

        var claimCbor = ClaimCbor(claim, manifestLabel, assertions);
        var signature = Sign(claimCbor, signer);
        var manifest = Jumbf.SuperBox(Jumbf.Manifest, manifestLabel,
            Jumbf.SuperBox(Jumbf.AssertionStore, AssertionsLabel, [.. assertions.Select(a => a.Box)]),
            Jumbf.SuperBox(Jumbf.Claim, ClaimLabel, Jumbf.CborBox(claimCbor)),
            Jumbf.SuperBox(Jumbf.Signature, SignatureLabel, Jumbf.CborBox(signature)));
        return Jumbf.SuperBox(Jumbf.ManifestStore, "c2pa", manifest);
    }

    private static byte[] AssertionBox(string label, byte[] cbor) => Jumbf.SuperBox(Jumbf.CborAssertion, label, Jumbf.CborBox(cbor));

    /// <summary>A hashed URI covers the assertion superbox's bytes after its own LBox/TBox.</summary>
    public static byte[] HashOfBox(ReadOnlySpan<byte> box) => SHA256.HashData(box[8..]);

    private static CborWriter Writer() => new(CborConformanceMode.Canonical);

    private static byte[] ActionsCbor(CredentialClaim claim)
    {
        var w = Writer();
        w.WriteStartMap(1);
        w.WriteTextString("actions");
        w.WriteStartArray(claim.WatermarkPayload is null ? 1 : 2);
        w.WriteStartMap(4);
        w.WriteTextString("action");
        w.WriteTextString(Created);
        w.WriteTextString("digitalSourceType");
        w.WriteTextString(XmpMetadata.TrainedAlgorithmicMedia);
        w.WriteTextString("softwareAgent");
        WriteGeneratorInfo(w, claim);
        w.WriteTextString("when");
        w.WriteTextString(claim.Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteEndMap();
        if (claim.WatermarkPayload is not null)
        {
            // The invisible mark was put into the pixels by the same software (declared with the soft binding below).
            w.WriteStartMap(2);
            w.WriteTextString("action");
            w.WriteTextString(Watermarked);
            w.WriteTextString("softwareAgent");
            WriteGeneratorInfo(w, claim);
            w.WriteEndMap();
        }
        w.WriteEndArray();
        w.WriteEndMap();
        return w.Encode();
    }

    private static void WriteGeneratorInfo(CborWriter w, CredentialClaim claim)
    {
        w.WriteStartMap(claim.SoftwareVersion is null ? 1 : 2);
        w.WriteTextString("name");
        w.WriteTextString(claim.SoftwareAgent);
        if (claim.SoftwareVersion is { } version)
        {
            w.WriteTextString("version");
            w.WriteTextString(version);
        }
        w.WriteEndMap();
    }

    private static byte[] HashDataCbor(long start, long length, byte[] hash)
    {
        var w = Writer();
        w.WriteStartMap(5);
        w.WriteTextString("exclusions");
        w.WriteStartArray(1);
        w.WriteStartMap(2);
        w.WriteTextString("start");
        w.WriteInt64(start);
        w.WriteTextString("length");
        w.WriteInt64(length);
        w.WriteEndMap();
        w.WriteEndArray();
        w.WriteTextString("name");
        w.WriteTextString("jumbf manifest");
        w.WriteTextString("alg");
        w.WriteTextString("sha256");
        w.WriteTextString("hash");
        w.WriteByteString(hash);
        w.WriteTextString("pad");
        w.WriteByteString([]);
        w.WriteEndMap();
        return w.Encode();
    }

    public static string PayloadText(ulong payload) => payload.ToString("x16", CultureInfo.InvariantCulture);

    private static byte[] SoftBindingCbor(string algorithm, ulong payload)
    {
        var w = Writer();
        w.WriteStartMap(3);
        w.WriteTextString("alg");
        w.WriteTextString(algorithm);
        w.WriteTextString("blocks");
        w.WriteStartArray(1);
        w.WriteStartMap(2);
        w.WriteTextString("scope");
        w.WriteStartMap(0);
        w.WriteEndMap();
        w.WriteTextString("value");
        w.WriteTextString(PayloadText(payload));
        w.WriteEndMap();
        w.WriteEndArray();
        w.WriteTextString("pad");
        w.WriteByteString([]);
        w.WriteEndMap();
        return w.Encode();
    }

    private static byte[] ClaimCbor(CredentialClaim claim, string manifestLabel, List<(string Label, byte[] Box)> assertions)
    {
        var w = Writer();
        w.WriteStartMap(6);
        w.WriteTextString("instanceID");
        w.WriteTextString("xmp:iid:" + manifestLabel["urn:c2pa:".Length..]);
        w.WriteTextString("claim_generator_info");
        WriteGeneratorInfo(w, claim);
        w.WriteTextString("signature");
        w.WriteTextString($"self#jumbf=/c2pa/{manifestLabel}/{SignatureLabel}");
        w.WriteTextString("created_assertions");
        w.WriteStartArray(assertions.Count);
        foreach (var (label, box) in assertions)
        {
            w.WriteStartMap(2);
            w.WriteTextString("url");
            w.WriteTextString($"self#jumbf={AssertionsLabel}/{label}");
            w.WriteTextString("hash");
            w.WriteByteString(HashOfBox(box));
            w.WriteEndMap();
        }
        w.WriteEndArray();
        w.WriteTextString("alg");
        w.WriteTextString("sha256");
        w.WriteTextString("dc:title");
        w.WriteTextString(claim.SampleId);
        w.WriteEndMap();
        return w.Encode();
    }

    /// <summary>COSE_Sign1 (tag 18) over the claim's CBOR as detached payload; x5chain (label 33) in the protected header.</summary>
    private static byte[] Sign(byte[] claimCbor, SigningIdentity signer)
    {
        var chain = new CborWriter(CborConformanceMode.Canonical);
        var certificates = signer.X5Chain;
        chain.WriteStartArray(certificates.Count);
        foreach (var certificate in certificates) chain.WriteByteString(certificate.RawData);
        chain.WriteEndArray();
        var protectedHeaders = new CoseHeaderMap { { new CoseHeaderLabel((int)X5Chain), CoseHeaderValue.FromEncodedValue(chain.Encode()) } };
        using var key = signer.Certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the signing certificate has no EC private key");
        var coseSigner = new CoseSigner(key, HashAlgorithmName.SHA256, protectedHeaders, new CoseHeaderMap());
        return CoseSign1Message.SignDetached(claimCbor, coseSigner, ReadOnlySpan<byte>.Empty);
    }
}
