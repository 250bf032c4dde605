using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// The C2PA profile of a claim-signing certificate (what validators check): X.509 v3; key usage present, critical,
/// with digitalSignature; extended key usage present, never anyExtendedKeyUsage, with documentSigning or
/// emailProtection; an EC P-256 key (Atelier signs ES256); not self-signed; not a CA.
/// </summary>
public static class CertificateProfile
{
    public const string DocumentSigning = "1.3.6.1.5.5.7.3.36", EmailProtection = "1.3.6.1.5.5.7.3.4", AnyExtendedKeyUsage = "2.5.29.37.0";

    /// <summary>Null when <paramref name="certificate"/> may sign claims; else the one-line reason it may not.</summary>
    public static string? Problem(X509Certificate2 certificate)
    {
        if (certificate.Version != 3) return $"the signing certificate is X.509 v{certificate.Version}, C2PA needs v3";
        if (IsSelfSigned(certificate))
            return "the signing certificate is self-signed; C2PA validators reject a self-signed end-entity certificate (use one issued by a CA, e.g. the workspace CA 'atelier keys init-signing' makes)";
        var basic = certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        if (basic is { CertificateAuthority: true }) return "the signing certificate is a CA certificate; claims are signed by an end-entity certificate";
        var usage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is null) return "the signing certificate has no key usage extension (C2PA needs digitalSignature, marked critical)";
        if (!usage.Critical) return "the signing certificate's key usage is not marked critical";
        if (!usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature)) return "the signing certificate's key usage lacks digitalSignature";
        var extended = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (extended is null) return "the signing certificate has no extended key usage (C2PA needs documentSigning or emailProtection)";
        var oids = extended.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();
        if (oids.Contains(AnyExtendedKeyUsage)) return "the signing certificate allows anyExtendedKeyUsage, which C2PA forbids";
        if (!oids.Contains(DocumentSigning) && !oids.Contains(EmailProtection))
            return "the signing certificate's extended key usage has neither documentSigning (1.3.6.1.5.5.7.3.36) nor emailProtection (1.3.6.1.5.5.7.3.4)";
        using var key = certificate.GetECDsaPublicKey();
        if (key is null || key.KeySize != 256) return "the signing certificate's key is not EC P-256 (Atelier signs with ES256)";
        return null;
    }

    /// <summary>Issued by itself: its issuer is its subject and its own key verifies its signature.</summary>
    public static bool IsSelfSigned(X509Certificate2 certificate)
    {
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        // A certificate that anchors its own chain in a store that holds only it signed itself.
        return chain.Build(certificate) || chain.ChainElements.Count == 1;
    }

    /// <summary>Null when <paramref name="certificate"/> chains (through <paramref name="intermediates"/>) to one of <paramref name="anchors"/> at <paramref name="when"/>; else the reason.</summary>
    public static string? ChainProblem(X509Certificate2 certificate, IEnumerable<X509Certificate2> intermediates, IReadOnlyCollection<X509Certificate2> anchors, DateTime when)
    {
        if (anchors.Count == 0) return "no trust anchor was given, so the signer cannot be trusted";
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchors.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = when;
        if (chain.Build(certificate)) return null;
        var status = chain.ChainStatus.Select(s => s.Status).FirstOrDefault(s => s != X509ChainStatusFlags.NoError);
        return status switch
        {
            X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain => "the signing certificate does not chain to a trusted anchor",
            X509ChainStatusFlags.NotTimeValid => "the signing certificate (or its issuer) is expired or not yet valid",
            _ => $"the signing certificate's chain does not validate ({status})",
        };
    }
}
