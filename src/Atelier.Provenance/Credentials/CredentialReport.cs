namespace Atelier.Provenance.Credentials;

/// <summary>
/// What <see cref="ContentCredentials.Read"/> found in a file. <see cref="Reasons"/> holds one line per problem;
/// a file with no credentials at all is not an error (a re-saved copy often has none: the watermark is for that).
/// </summary>
public sealed record CredentialReport
{
    public ImageKind? Kind { get; init; }
    public bool XmpFound { get; init; }
    /// <summary>From XMP: Iptc4xmpExt:DigitalSourceType.</summary>
    public string? DigitalSourceType { get; init; }
    public string? SoftwareAgent { get; init; }
    public string? SampleId { get; init; }
    public bool ManifestFound { get; init; }
    public string? ManifestLabel { get; init; }
    /// <summary>From the manifest: the c2pa.created action's digitalSourceType.</summary>
    public string? ClaimDigitalSourceType { get; init; }
    public string? ClaimGenerator { get; init; }
    /// <summary>Every assertion the claim lists is present and matches its hash.</summary>
    public bool AssertionsIntact { get; init; }
    /// <summary>The COSE_Sign1 signature over the claim verifies with the x5chain's first certificate.</summary>
    public bool SignatureValid { get; init; }
    /// <summary>The signer meets C2PA's certificate profile and chains to one of the trust anchors given.</summary>
    public bool ChainValid { get; init; }
    /// <summary>The c2pa.hash.data hash matches the file's bytes outside its exclusions.</summary>
    public bool HardBindingIntact { get; init; }
    public string? Signer { get; init; }
    public string? SoftBindingAlgorithm { get; init; }
    public ulong? SoftBindingPayload { get; init; }
    public IReadOnlyList<string> Reasons { get; init; } = [];

    /// <summary>A manifest whose signature, chain, assertions and hard binding all check out.</summary>
    public bool Valid => ManifestFound && AssertionsIntact && SignatureValid && ChainValid && HardBindingIntact;
}
