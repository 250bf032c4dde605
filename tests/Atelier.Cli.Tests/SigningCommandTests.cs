using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Atelier.Catalog;
using Atelier.Provenance.Credentials;

namespace Atelier.Cli.Tests;

/// <summary><c>keys init-signing</c> through the real CLI on a real workspace.</summary>
public class SigningCommandTests
{
    [Fact]
    public void InitIssuesTheSigningIdentityWithTheWorkspace()
    {
        using var cli = new CliRunner();
        var init = cli.Ok("init", "--json").Json;

        Assert.Contains("Atelier content credentials", init.GetProperty("signingCertificate").GetString());
        Assert.True(File.Exists(init.GetProperty("trustAnchors").GetString()));
        using (var workspace = Workspace.Open(cli.Directory))
        using (var identity = SigningIdentity.Load(workspace))
            Assert.Equal("workspace-ca", identity.Source);
        Assert.Contains(SigningIdentity.AuditAction, cli.Ok("audit", "show", "--action", SigningIdentity.AuditAction).Out, StringComparison.Ordinal);
        AssertOneLine(cli.Run("keys", "init-signing"), "already has a signing certificate");
    }

    [Fact]
    public void WithoutASigningIdentitySampleRefusesInOneLineNamingTheCommand()
    {
        using var cli = new CliRunner();
        Assert.Contains("signing   none yet", cli.Ok("init", "--no-signing").Out);

        AssertOneLine(cli.Run("sample", "--run", "r1", "--n", "1", "--out", "samples"), "atelier keys init-signing");
        Assert.False(Directory.Exists(Path.Combine(cli.Directory, "samples")));
    }

    [Fact]
    public void InitSigningMakesACaIssuedSignerOnceAndRefusesASecond()
    {
        using var cli = new CliRunner();
        cli.Ok("init", "--no-signing");

        var made = cli.Ok("keys", "init-signing", "--json").Json;

        Assert.Equal("workspace-ca", made.GetProperty("source").GetString());
        Assert.Contains("Atelier workspace CA", made.GetProperty("issuer").GetString());
        var anchors = made.GetProperty("trustAnchors").GetString()!;
        Assert.True(File.Exists(anchors));
        using (var workspace = Workspace.Open(cli.Directory))
        using (var identity = SigningIdentity.Load(workspace))
        {
            Assert.Null(CertificateProfile.Problem(identity.Certificate));
            Assert.Equal(made.GetProperty("subject").GetString(), identity.Certificate.Subject);
        }

        AssertOneLine(cli.Run("keys", "init-signing"), "already has a signing certificate");
    }

    [Fact]
    public void InitSigningRefusesABroughtSelfSignedCertificateInOneLine()
    {
        using var cli = new CliRunner();
        cli.Ok("init", "--no-signing");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Self signer", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateProfile.DocumentSigning)], false));
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllText(Path.Combine(cli.Directory, "me.pem"), cert.ExportCertificatePem());
        File.WriteAllText(Path.Combine(cli.Directory, "me.key"), key.ExportPkcs8PrivateKeyPem());

        AssertOneLine(cli.Run("keys", "init-signing", "--cert", "me.pem", "--key", "me.key"), "self-signed");
        AssertOneLine(cli.Run("keys", "init-signing", "--cert", "me.pem"), "--cert and --key go together");
        AssertOneLine(cli.Run("keys", "init-signing", "--cert", "missing.pem", "--key", "me.key"), "missing.pem does not exist");
        Assert.False(File.Exists(Path.Combine(cli.Directory, ".atelier", SigningIdentity.FileName)));
    }

    private static void AssertOneLine(CliResult r, string expected)
    {
        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Out);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
        Assert.Contains(expected, r.Error);
    }
}
