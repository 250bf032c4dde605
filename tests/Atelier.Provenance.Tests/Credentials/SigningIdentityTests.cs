using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Provenance.Credentials;
using Atelier.TestSupport;

namespace Atelier.Provenance.Tests.Credentials;

public class SigningIdentityTests
{
    private static GovernanceSession Session(TempWorkspace ws) => GovernanceSession.Open(ws.Workspace, _ => null);

    [Fact]
    public void Init_makes_a_ca_issued_signer_that_meets_the_c2pa_profile()
    {
        using var ws = new TempWorkspace();
        using var identity = SigningIdentity.Initialize(Session(ws), DateTimeOffset.UtcNow);
        var leaf = identity.Certificate;
        var ca = Assert.Single(identity.TrustAnchors);

        Assert.Null(CertificateProfile.Problem(leaf));
        Assert.Equal(3, leaf.Version);
        Assert.Equal(ca.Subject, leaf.Issuer);
        Assert.NotEqual(leaf.Subject, leaf.Issuer);
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(usage.Critical);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, usage.KeyUsages);
        var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();
        Assert.Equal([CertificateProfile.DocumentSigning], eku);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Null(CertificateProfile.ChainProblem(leaf, [], identity.TrustAnchors.ToArray(), DateTime.UtcNow));
    }

    [Fact]
    public void The_stored_identity_keeps_its_keys_sealed_and_signs_after_loading()
    {
        using var ws = new TempWorkspace();
        var session = Session(ws);
        string fingerprint;
        using (var made = SigningIdentity.Initialize(session, DateTimeOffset.UtcNow)) fingerprint = made.Certificate.Thumbprint;
        var path = SigningIdentity.PathIn(ws.Workspace);

        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.DoesNotContain("PRIVATE KEY", File.ReadAllText(path));
        using var loaded = SigningIdentity.Load(ws.Workspace, session.Sealer);
        Assert.Equal(fingerprint, loaded.Certificate.Thumbprint);
        Assert.True(loaded.Certificate.HasPrivateKey);
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(SigningIdentity.AnchorsPathIn(ws.Workspace));

        var file = ContentCredentials.Attach(ContentCredentialsTests.Image(ImageKind.Png), ImageKind.Png, TestIdentities.Claim(), loaded);
        var report = ContentCredentials.Read(file, anchors.ToArray());
        Assert.True(report.Valid, string.Join("; ", report.Reasons));
        Assert.Contains(ws.Catalog.AllAuditEntries(), e => e.Action == SigningIdentity.AuditAction);
    }

    [Fact]
    public void A_second_init_is_refused_and_the_first_identity_stays()
    {
        using var ws = new TempWorkspace();
        var session = Session(ws);
        using var first = SigningIdentity.Initialize(session, DateTimeOffset.UtcNow);
        var before = File.ReadAllBytes(SigningIdentity.PathIn(ws.Workspace));

        var e = Assert.Throws<AtelierException>(() => SigningIdentity.Initialize(session, DateTimeOffset.UtcNow));

        Assert.Equal("signing-identity-exists", e.Code);
        Assert.Equal(before, File.ReadAllBytes(SigningIdentity.PathIn(ws.Workspace)));
    }

    [Fact]
    public void Inits_at_the_same_moment_leave_exactly_one_identity()
    {
        using var ws = new TempWorkspace();
        Session(ws);
        var outcomes = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4).Select(_ =>
        {
            using var workspace = Workspace.Open(ws.Directory);
            try
            {
                using var identity = SigningIdentity.Initialize(GovernanceSession.Open(workspace, _ => null), DateTimeOffset.UtcNow);
                return identity.Certificate.Thumbprint;
            }
            catch (AtelierException e) when (e.Code == "signing-identity-exists") { return null; }
        }).ToList();

        var winner = Assert.Single(outcomes, o => o is not null);
        using var loaded = SigningIdentity.Load(ws.Workspace, Session(ws).Sealer);
        Assert.Equal(winner, loaded.Certificate.Thumbprint);
    }

    [Fact]
    public void Another_workspaces_key_cannot_open_the_signing_key()
    {
        using var ours = new TempWorkspace();
        using var theirs = new TempWorkspace();
        using (SigningIdentity.Initialize(Session(ours), DateTimeOffset.UtcNow)) { }
        File.Copy(SigningIdentity.PathIn(ours.Workspace), SigningIdentity.PathIn(theirs.Workspace));

        var e = Assert.Throws<AtelierException>(() => SigningIdentity.Load(theirs.Workspace, Session(theirs).Sealer));

        Assert.Equal("unknown-key", e.Code);
    }

    [Fact]
    public void Loading_without_an_identity_says_how_to_make_one()
    {
        using var ws = new TempWorkspace();
        var e = Assert.Throws<AtelierException>(() => SigningIdentity.Load(ws.Workspace, Session(ws).Sealer));
        Assert.Contains("atelier keys init-signing", e.Message);
    }

    [Fact]
    public void A_brought_certificate_issued_by_a_ca_is_accepted_and_signs_valid_manifests()
    {
        using var ws = new TempWorkspace();
        var (ca, _) = Ca();
        var (leaf, key) = Leaf(ca, critical: true, eku: CertificateProfile.EmailProtection);

        using var identity = SigningIdentity.Import(Session(ws), leaf.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), ca.ExportCertificatePem(), DateTimeOffset.UtcNow);

        Assert.Equal("imported", identity.Source);
        var file = ContentCredentials.Attach(ContentCredentialsTests.Image(ImageKind.Jpeg), ImageKind.Jpeg, TestIdentities.Claim(), identity);
        var report = ContentCredentials.Read(file, [ca]);
        Assert.True(report.Valid, string.Join("; ", report.Reasons));
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "self-signed", "self-signed; C2PA validators reject a self-signed end-entity certificate" },
        { "any-eku", "anyExtendedKeyUsage" },
        { "usage-not-critical", "key usage is not marked critical" },
        { "no-signing-eku", "neither documentSigning" },
        { "other-ca", "does not chain to a trusted anchor" },
        { "wrong-key", "not a PEM EC private key matching the certificate" },
    };

    [Theory, MemberData(nameof(Refused))]
    public void A_brought_certificate_that_validators_would_reject_is_refused_with_the_reason(string kind, string reason)
    {
        using var ws = new TempWorkspace();
        var (ca, _) = Ca();
        var (leaf, key) = kind switch
        {
            "self-signed" => SelfSigned(),
            "any-eku" => Leaf(ca, critical: true, eku: CertificateProfile.AnyExtendedKeyUsage),
            "usage-not-critical" => Leaf(ca, critical: false, eku: CertificateProfile.DocumentSigning),
            "no-signing-eku" => Leaf(ca, critical: true, eku: "1.3.6.1.5.5.7.3.1"),
            _ => Leaf(ca, critical: true, eku: CertificateProfile.DocumentSigning),
        };
        var anchor = kind == "other-ca" ? Ca().Cert : ca;
        var keyPem = kind == "wrong-key" ? ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem() : key.ExportPkcs8PrivateKeyPem();

        var e = Assert.Throws<AtelierException>(() =>
            SigningIdentity.Import(Session(ws), leaf.ExportCertificatePem(), keyPem, anchor.ExportCertificatePem(), DateTimeOffset.UtcNow));

        Assert.Contains(reason, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(SigningIdentity.Exists(ws.Workspace));
    }

    private static (X509Certificate2 Cert, ECDsa Key) Ca()
    {
        var (key, request) = TestIdentities.Request("CN=Test CA");
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1)), key);
    }

    private static (X509Certificate2 Cert, ECDsa Key) Leaf(X509Certificate2 ca, bool critical, string eku)
    {
        var (key, request) = TestIdentities.Request("CN=Brought signer");
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        // CreateSelfSigned left the CA certificate holding its key, so it can issue directly.
        var cert = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMonths(6), [1, 2, 3, 4]);
        return (cert, key);
    }

    private static (X509Certificate2 Cert, ECDsa Key) SelfSigned()
    {
        var (key, request) = TestIdentities.Request("CN=Self signer");
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateProfile.DocumentSigning)], false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1)), key);
    }
}
