using Atelier.Catalog;
using Atelier.Provenance.Sampling;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// The credentials step of sampling: XMP and a C2PA manifest signed with the workspace's signing identity, naming the
/// sample and, when the pixels carry the watermark, its payload as the soft binding.
/// </summary>
public sealed class SampleCredentials(SigningIdentity signer) : ICredentialWriter
{
    public string Name { get; } = $"C2PA signed by '{signer.Certificate.Subject}'";

    public byte[] Attach(byte[] encoded, SampleFormat format, SampleClaim claim) =>
        ContentCredentials.Attach(encoded, format == SampleFormat.Png ? ImageKind.Png : ImageKind.Jpeg,
            new CredentialClaim(claim.SampleName, MarkedSampling.SoftwareName, MarkedSampling.SoftwareVersion, claim.Created,
                claim.Watermarked ? MarkPayloads.Parse(claim.MarkPayload) : null),
            signer);
}
