using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Atelier.Provenance.Credentials;
using Atelier.TestSupport;

namespace Atelier.Provenance.Tests.Credentials;

/// <summary>Signing identities made once per test run (key generation is the slow part) and claims to sign.</summary>
internal static class TestIdentities
{
    private static readonly Lazy<(SigningIdentity Identity, X509Certificate2 Ca)> Workspace =
        new(() => SigningIdentity.Issue("tests", DateTimeOffset.UtcNow));

    public static SigningIdentity Signer => Workspace.Value.Identity;
    public static IReadOnlyCollection<X509Certificate2> Anchors => Signer.TrustAnchors.ToArray();

    /// <summary>Another workspace's CA: its anchors must not vouch for our signer.</summary>
    public static IReadOnlyCollection<X509Certificate2> OtherAnchors { get; } = SigningIdentity.Issue("elsewhere", DateTimeOffset.UtcNow).Identity.TrustAnchors.ToArray();

    public static CredentialClaim Claim(ulong? payload = 0x0123456789abcdefUL) =>
        new("S-00042", "Atelier", "0.1.0", new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero), payload);

    public static string AnchorsPem(TempDir dir) => dir.Write("anchors.pem", string.Concat(Signer.TrustAnchors.Select(a => a.ExportCertificatePem() + "\n")));

    /// <summary>A throwaway EC key and certificate request, for building certificates the profile must refuse.</summary>
    public static (ECDsa Key, CertificateRequest Request) Request(string subject)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key, new CertificateRequest(subject, key, HashAlgorithmName.SHA256));
    }
}
