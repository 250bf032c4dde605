using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Keys;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// The certificate and key that sign a workspace's C2PA manifests, and the anchors its manifests are checked against.
/// Kept in <c>.atelier/signing.json</c> (owner-only): certificates in PEM, private keys (PKCS#8) sealed with the
/// workspace key the way Governance seals personal data, each under its own purpose. Either a workspace CA issued the
/// signing certificate (<see cref="Initialize"/>) or the user brought their own (<see cref="Import"/>).
/// </summary>
public sealed class SigningIdentity : IDisposable
{
    public const string FileName = "signing.json";
    public const string AuditAction = "signing-identity-created";
    private const string Format = "atelier-signing-1";
    private const string KeyPurpose = "c2pa signing key", CaKeyPurpose = "c2pa workspace ca key";

    /// <summary>The signing certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }
    /// <summary>The certificates after the signer up to (not including) the anchor: what goes in x5chain after the signer.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; }
    /// <summary>The roots a reader should trust for this workspace's manifests (the workspace CA, or what the user gave).</summary>
    public IReadOnlyList<X509Certificate2> TrustAnchors { get; }
    /// <summary>"workspace-ca" or "imported".</summary>
    public string Source { get; }

    /// <summary>x5chain: the signer first, then its intermediates.</summary>
    public IReadOnlyList<X509Certificate2> X5Chain => [Certificate, .. Intermediates];

    private SigningIdentity(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> intermediates, IReadOnlyList<X509Certificate2> anchors, string source)
    {
        Certificate = certificate;
        Intermediates = intermediates;
        TrustAnchors = anchors;
        Source = source;
    }

    public static string PathIn(Workspace workspace) => Path.Combine(workspace.DataDirectory, FileName);

    /// <summary>The trust anchors in PEM, for validators (c2patool, Verify sites) to be configured with.</summary>
    public static string AnchorsPathIn(Workspace workspace) => Path.Combine(workspace.DataDirectory, AnchorsFileName);

    public const string AnchorsFileName = "c2pa-trust-anchors.pem";

    public static bool Exists(Workspace workspace) => File.Exists(PathIn(workspace));

    /// <summary>
    /// A new workspace CA (P-256, 10 years) and a signing certificate it issues (P-256, 2 years, key usage
    /// digitalSignature critical, extended key usage documentSigning). Not written anywhere: see <see cref="Initialize"/>.
    /// </summary>
    public static (SigningIdentity Identity, X509Certificate2 Ca) Issue(string workspaceName, DateTimeOffset now)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=Atelier workspace CA ({workspaceName}), O=Atelier", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var caSki = new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false);
        caRequest.CertificateExtensions.Add(caSki);
        var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddYears(10));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Atelier content credentials ({workspaceName}), O=Atelier", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateProfile.DocumentSigning)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(caSki));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        using var issued = request.Create(ca, now.AddHours(-1), now.AddYears(2), serial);
        var signer = issued.CopyWithPrivateKey(key);
        var anchor = X509CertificateLoader.LoadCertificate(ca.RawData);
        return (new SigningIdentity(signer, [], [anchor], "workspace-ca"), ca);
    }

    /// <summary>
    /// <c>keys init-signing</c>: issues a workspace CA and signing certificate and stores them, keys sealed (admin).
    /// Refuses when the workspace already has a signing identity: manifests it signed must stay checkable.
    /// </summary>
    public static SigningIdentity Initialize(GovernanceSession session, DateTimeOffset now)
    {
        session.Actor.Require(Role.Admin, "create the workspace's signing certificate");
        var (identity, ca) = Issue(Path.GetFileName(session.Workspace.Root.TrimEnd('/')), now);
        using (ca)
        {
            using var caKey = ca.GetECDsaPrivateKey()!;
            Save(session, identity, caKey.ExportPkcs8PrivateKey());
        }
        return identity;
    }

    /// <summary>
    /// <c>keys init-signing --cert --key</c>: the user's own signing certificate (PEM; the file may go on with its
    /// intermediates) and P-256 private key (PEM, PKCS#8 or SEC1), with the anchors to check it against (<paramref name="anchorsPem"/>,
    /// PEM; may be null when the chain in the certificate file ends at a root, which is then the anchor).
    /// </summary>
    public static SigningIdentity Import(GovernanceSession session, string certificatePem, string keyPem, string? anchorsPem, DateTimeOffset now)
    {
        session.Actor.Require(Role.Admin, "set the workspace's signing certificate");
        var chain = LoadPem(certificatePem, "--cert");
        if (chain.Count == 0) throw new AtelierException("bad-certificate", "the --cert file holds no PEM certificate");
        var leaf = chain[0];
        if (CertificateProfile.Problem(leaf) is { } problem) throw new AtelierException("bad-certificate", problem);
        var rest = chain.Skip(1).ToList();
        List<X509Certificate2> anchors;
        if (anchorsPem is not null) anchors = LoadPem(anchorsPem, "--ca");
        else
        {
            anchors = rest.Where(CertificateProfile.IsSelfSigned).ToList();
            if (anchors.Count == 0) throw new AtelierException("bad-certificate", "no trust anchor: give the issuing CA's certificate with --ca, or end the --cert file with the root");
        }
        var intermediates = rest.Where(c => !anchors.Any(a => a.RawData.AsSpan().SequenceEqual(c.RawData))).ToList();
        if (CertificateProfile.ChainProblem(leaf, intermediates, anchors, now.UtcDateTime) is { } chainProblem) throw new AtelierException("bad-certificate", chainProblem);
        X509Certificate2 signer;
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(keyPem);
            signer = leaf.CopyWithPrivateKey(key);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new AtelierException("bad-key", "the --key file is not a PEM EC private key matching the certificate");
        }
        var identity = new SigningIdentity(signer, intermediates, anchors, "imported");
        Save(session, identity, null);
        return identity;
    }

    /// <summary>The workspace's signing identity; a one-line reason when there is none or it cannot be opened.</summary>
    public static SigningIdentity Load(Workspace workspace) => Load(workspace, GovernanceSession.For(workspace).Sealer);

    internal static SigningIdentity Load(Workspace workspace, Sealer sealer)
    {
        var path = PathIn(workspace);
        if (!File.Exists(path)) throw new AtelierException("no-signing-identity", "this workspace has no signing certificate: run 'atelier keys init-signing' (or bring one with --cert/--key)");
        var stored = Read(path);
        var chain = LoadPem(stored.Chain, path);
        var anchors = LoadPem(stored.Anchors, path);
        if (chain.Count == 0 || anchors.Count == 0) throw new AtelierException("bad-signing-identity", $"the signing identity {path} has no certificate or no anchor");
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(sealer.Open(Convert.FromBase64String(stored.Key), KeyPurpose), out _);
        return new SigningIdentity(chain[0].CopyWithPrivateKey(key), [.. chain.Skip(1)], anchors, stored.Source);
    }

    /// <summary>
    /// After a key rotation: seals the signing key (and the workspace CA's) again under the ring's active key, so that no
    /// secret stays under a retired key only. The certificates do not change, so manifests signed before stay valid.
    /// False when there is no signing identity or it is already under the active key.
    /// </summary>
    public static bool Reseal(GovernanceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var path = PathIn(session.Workspace);
        if (!File.Exists(path)) return false;
        var stored = Read(path);
        var sealer = session.Sealer;
        byte[] key = Convert.FromBase64String(stored.Key), caKey = stored.CaKey is null ? [] : Convert.FromBase64String(stored.CaKey);
        if (sealer.IsCurrent(key) && (stored.CaKey is null || sealer.IsCurrent(caKey))) return false;
        var resealed = stored with
        {
            Key = Convert.ToBase64String(sealer.Seal(sealer.Open(key, KeyPurpose), KeyPurpose)),
            CaKey = stored.CaKey is null ? null : Convert.ToBase64String(sealer.Seal(sealer.Open(caKey, CaKeyPurpose), CaKeyPurpose)),
        };
        // Replaced whole (write and rename): a `sample` reading it meanwhile sees the old sealing or the new, both openable.
        // Two rotations racing can leave it under the earlier of the two new keys: still openable, and resealed by the next.
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(resealed, JsonOptions), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        session.Record(ResealAuditAction, new { keyId = session.Keys.Active.Id });
        return true;
    }

    public const string ResealAuditAction = "signing-identity-resealed";

    /// <summary>The anchors this workspace's manifests are checked against (no private key is opened); none when it has no signing identity.</summary>
    public static IReadOnlyList<X509Certificate2> TrustAnchorsOf(Workspace workspace)
    {
        var path = PathIn(workspace);
        return File.Exists(path) ? LoadPem(Read(path).Anchors, path) : [];
    }

    private static StoredIdentity Read(string path)
    {
        try
        {
            var stored = JsonSerializer.Deserialize<StoredIdentity>(File.ReadAllBytes(path), JsonOptions) ?? throw new JsonException("empty");
            if (stored.Format != Format) throw new JsonException($"format is '{stored.Format}', expected '{Format}'");
            return stored;
        }
        catch (JsonException e)
        {
            throw new AtelierException("bad-signing-identity", $"the signing identity {path} cannot be read: {e.Message.Split('\n')[0]}");
        }
    }

    private static void Save(GovernanceSession session, SigningIdentity identity, byte[]? caKey)
    {
        var path = PathIn(session.Workspace);
        using var key = identity.Certificate.GetECDsaPrivateKey()!;
        var stored = new StoredIdentity(Format, identity.Source,
            string.Concat(identity.X5Chain.Select(c => c.ExportCertificatePem() + "\n")),
            AnchorsPem(identity),
            Convert.ToBase64String(session.Sealer.Seal(key.ExportPkcs8PrivateKey(), KeyPurpose)),
            caKey is null ? null : Convert.ToBase64String(session.Sealer.Seal(caKey, CaKeyPurpose)));
        try
        {
            // Never replaced, even by a second init at the same moment: manifests signed under the first must stay checkable.
            AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(stored, JsonOptions), replace: false,
                mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new AtelierException("signing-identity-exists", $"this workspace already has a signing certificate ({path}); it is never replaced");
        }
        AtomicFile.WriteAllBytes(AnchorsPathIn(session.Workspace), System.Text.Encoding.ASCII.GetBytes(AnchorsPem(identity)));
        session.Record(AuditAction, new
        {
            source = identity.Source,
            subject = identity.Certificate.Subject,
            issuer = identity.Certificate.Issuer,
            sha256 = identity.Certificate.GetCertHashString(HashAlgorithmName.SHA256).ToLowerInvariant(),
            notAfter = identity.Certificate.NotAfter.ToUniversalTime(),
        });
    }

    private static string AnchorsPem(SigningIdentity identity) => string.Concat(identity.TrustAnchors.Select(c => c.ExportCertificatePem() + "\n"));

    private static List<X509Certificate2> LoadPem(string pem, string what)
    {
        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPem(pem);
            return [.. collection];
        }
        catch (CryptographicException)
        {
            throw new AtelierException("bad-certificate", $"{what} does not hold PEM certificates");
        }
    }

    public void Dispose()
    {
        Certificate.Dispose();
        foreach (var c in Intermediates) c.Dispose();
        foreach (var c in TrustAnchors) c.Dispose();
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private sealed record StoredIdentity(string Format, string Source, string Chain, string Anchors, string Key, string? CaKey);
}
