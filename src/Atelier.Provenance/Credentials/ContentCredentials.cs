using System.Formats.Cbor;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// Content credentials of a generated image: an XMP packet (IPTC digital source type, software, sample id) and a
/// signed C2PA manifest whose hard binding covers every byte of the file except the manifest itself.
/// </summary>
public static class ContentCredentials
{
    /// <summary>Largest file <see cref="Read"/> looks at.</summary>
    public const int MaxFileBytes = 256 << 20;

    /// <summary>
    /// The image with XMP and a signed C2PA manifest added (any earlier XMP packet or manifest store is replaced).
    /// The pixels and every other chunk or segment are kept byte for byte.
    /// </summary>
    public static byte[] Attach(byte[] encodedImage, ImageKind kind, CredentialClaim claim, SigningIdentity signer)
    {
        if (ImageKinds.Sniff(encodedImage) != kind) throw new ArgumentException($"the image is not a {kind} file", nameof(encodedImage));
        var container = ImageKinds.For(kind);
        var image = container.WithXmp(container.Strip(encodedImage), XmpMetadata.Packet(claim.SoftwareAgentText, claim.SampleId, claim.Created));
        var at = container.ManifestOffset(image);
        var label = "urn:c2pa:" + Guid.NewGuid().ToString("D");
        // The exclusion is the wrapped store's own length, which the store states: grow the guess until it is a fixed
        // point (the wrapped length never shrinks as the stated one grows, so this ends within a few rounds).
        var placeholder = new byte[32];
        long length = 0;
        byte[] wrapped;
        while (true)
        {
            wrapped = container.Wrap(C2paManifest.Build(claim, signer, label, at, length, placeholder));
            if (wrapped.Length == length) break;
            length = wrapped.Length;
        }
        // The bytes outside the exclusion are exactly the image before the store is inserted.
        var hash = SHA256.HashData(image);
        var final = container.Wrap(C2paManifest.Build(claim, signer, label, at, length, hash));
        if (final.Length != length) throw new InvalidOperationException("the manifest's size changed between measuring and signing");
        return PngContainer.Insert(image, at, final);
    }

    /// <summary>Reads and checks a file's credentials against <paramref name="trustAnchors"/>. Never throws: problems are reasons.</summary>
    public static CredentialReport Read(byte[] file, IReadOnlyCollection<X509Certificate2> trustAnchors)
    {
        try
        {
            return ReadChecked(file, trustAnchors);
        }
        catch (CredentialFormatException e)
        {
            return new CredentialReport { Kind = ImageKinds.Sniff(file), Reasons = [e.Message] };
        }
        catch (Exception e) when (e is CryptographicException or CborContentException or ArgumentException or FormatException or OverflowException)
        {
            // Parsers below raise these on bytes that are well-framed but wrong inside; the caller gets the line, not the type.
            return new CredentialReport { Kind = ImageKinds.Sniff(file), Reasons = [$"the credentials cannot be read ({e.Message.Split('\n')[0]})"] };
        }
    }

    private static CredentialReport ReadChecked(byte[] file, IReadOnlyCollection<X509Certificate2> trustAnchors)
    {
        if (file.Length > MaxFileBytes) throw new CredentialFormatException($"the file is {file.Length} bytes, over the {MaxFileBytes}-byte limit");
        var kind = ImageKinds.Sniff(file) ?? throw new CredentialFormatException("not a PNG or JPEG file");
        var (xmpBytes, store) = ImageKinds.For(kind).Find(file);
        var reasons = new List<string>();
        var report = new CredentialReport { Kind = kind };
        if (xmpBytes is not null)
        {
            try
            {
                var xmp = XmpMetadata.Parse(xmpBytes);
                report = report with { XmpFound = true, DigitalSourceType = xmp.DigitalSourceType, SoftwareAgent = xmp.SoftwareAgent, SampleId = xmp.SampleId };
            }
            catch (CredentialFormatException e) { reasons.Add(e.Message); }
        }
        else reasons.Add("no XMP packet");
        if (store is null)
        {
            reasons.Add("no C2PA manifest");
            return report with { Reasons = reasons };
        }
        try
        {
            report = CheckManifest(file, store, trustAnchors, report, reasons);
        }
        catch (CredentialFormatException e) { reasons.Add(e.Message); }
        return report with { Reasons = reasons };
    }

    private static CredentialReport CheckManifest(byte[] file, byte[] storeBytes, IReadOnlyCollection<X509Certificate2> anchors, CredentialReport report, List<string> reasons)
    {
        var store = Jumbf.Parse(storeBytes);
        if (!store.Is(Jumbf.ManifestStore) || store.Label != "c2pa") throw new CredentialFormatException("the JUMBF box is not a C2PA manifest store");
        // The active manifest is the last one in the store.
        var manifest = store.Children.LastOrDefault(c => c.Is(Jumbf.Manifest)) ?? throw new CredentialFormatException("the manifest store holds no manifest");
        report = report with { ManifestFound = true, ManifestLabel = manifest.Label };
        var assertionStore = manifest.OnlyChild(Jumbf.AssertionStore, "assertion store") ?? throw new CredentialFormatException("the manifest has no assertion store");
        var claimBox = manifest.OnlyChild(Jumbf.Claim, "claim") ?? throw new CredentialFormatException("the manifest has no claim");
        if (claimBox.Label != C2paManifest.ClaimLabel) throw new CredentialFormatException($"the claim is '{claimBox.Label}', not a {C2paManifest.ClaimLabel}");
        var signatureBox = manifest.OnlyChild(Jumbf.Signature, "signature") ?? throw new CredentialFormatException("the manifest has no signature");
        var claimBytes = claimBox.Cbor;
        var claim = CborTree.ReadMap(claimBytes, "claim");
        if (claim.Get<Dictionary<string, object?>>("claim_generator_info") is { } generator)
            report = report with { ClaimGenerator = generator.Get<string>("name") is { } n ? (generator.Get<string>("version") is { } v ? $"{n} {v}" : n) : null };
        if (claim.Get<string>("signature") is not { } signatureRef || Resolve(signatureRef, manifest.Label) != C2paManifest.SignatureLabel)
            reasons.Add("the claim does not point at the manifest's signature");

        // Assertions: each hashed URI must resolve inside this manifest and match.
        var intact = true;
        var assertions = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        var referenced = claim.Get<List<object?>>("created_assertions") ?? throw new CredentialFormatException("the claim lists no created_assertions");
        foreach (var item in referenced)
        {
            if (item is not Dictionary<string, object?> uri || uri.Get<string>("url") is not { } url || uri.Get<byte[]>("hash") is not { } hash)
                throw new CredentialFormatException("the claim has a malformed hashed URI");
            var path = Resolve(url, manifest.Label);
            var label = path?.StartsWith(C2paManifest.AssertionsLabel + "/", StringComparison.Ordinal) == true ? path[(C2paManifest.AssertionsLabel.Length + 1)..] : null;
            var box = label is null ? null : assertionStore.Child(label);
            if (box is null)
            {
                intact = false;
                reasons.Add($"the claim refers to an assertion that is not in the manifest ({url})");
                continue;
            }
            if (!SHA256.HashData(box.Payload.Span).AsSpan().SequenceEqual(hash))
            {
                intact = false;
                reasons.Add($"the assertion {label} does not match its hash in the claim (altered)");
                continue;
            }
            assertions[label!] = CborTree.ReadMap(box.Cbor, $"assertion {label}");
        }
        report = report with { AssertionsIntact = intact };

        report = CheckSignature(signatureBox.Cbor, claimBytes, anchors, report, reasons);

        // Hard binding.
        if (assertions.GetValueOrDefault(C2paManifest.HashDataLabel) is { } hashData)
        {
            var binding = CheckHardBinding(file, hashData);
            if (binding is null) report = report with { HardBindingIntact = true };
            else reasons.Add(binding);
        }
        else reasons.Add("the manifest has no c2pa.hash.data hard binding");

        if (assertions.GetValueOrDefault(C2paManifest.ActionsLabel)?.Get<List<object?>>("actions") is { Count: > 0 } actions
            && actions[0] is Dictionary<string, object?> first && first.Get<string>("action") == C2paManifest.Created)
            report = report with { ClaimDigitalSourceType = first.Get<string>("digitalSourceType") };
        else reasons.Add("the manifest's actions do not start with c2pa.created");

        if (assertions.GetValueOrDefault(C2paManifest.SoftBindingLabel) is { } soft)
        {
            var value = soft.Get<List<object?>>("blocks")?.OfType<Dictionary<string, object?>>().FirstOrDefault()?.Get<string>("value");
            report = report with
            {
                SoftBindingAlgorithm = soft.Get<string>("alg"),
                SoftBindingPayload = ulong.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var p) && value!.Length == 16 ? p : null,
            };
        }
        return report;
    }

    /// <summary>The path a JUMBF URI names inside <paramref name="manifestLabel"/>'s manifest, or null if it points elsewhere.</summary>
    private static string? Resolve(string url, string? manifestLabel)
    {
        const string prefix = "self#jumbf=";
        if (!url.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var path = url[prefix.Length..];
        if (!path.StartsWith('/')) return path;
        var own = $"/c2pa/{manifestLabel}/";
        return path.StartsWith(own, StringComparison.Ordinal) ? path[own.Length..] : null;
    }

    private static CredentialReport CheckSignature(ReadOnlyMemory<byte> cose, ReadOnlyMemory<byte> claimBytes, IReadOnlyCollection<X509Certificate2> anchors, CredentialReport report, List<string> reasons)
    {
        CoseSign1Message message;
        try { message = CoseMessage.DecodeSign1(cose.Span); }
        catch (CryptographicException e)
        {
            reasons.Add($"the claim signature is not a COSE_Sign1 message ({e.Message.Split('\n')[0]})");
            return report;
        }
        if (!message.ProtectedHeaders.TryGetValue(CoseHeaderLabel.Algorithm, out var algorithm) || algorithm.GetValueAsInt32() != -7)
        {
            reasons.Add("the claim signature is not ES256 (the only algorithm Atelier checks)");
            return report;
        }
        List<X509Certificate2> chain;
        try { chain = X5Chain(message); }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or CryptographicException or FormatException)
        {
            reasons.Add("the claim signature's x5chain is malformed");
            return report;
        }
        if (chain.Count == 0)
        {
            reasons.Add("the claim signature carries no certificate (x5chain)");
            return report;
        }
        try
        {
            return CheckSigner(message, chain, claimBytes, anchors, report, reasons);
        }
        catch (CryptographicException e)
        {
            // A certificate that parsed as X.509 but whose key or extensions do not (altered bytes).
            reasons.Add($"the signing certificate cannot be used ({e.Message.Split('\n')[0]})");
            return report;
        }
    }

    private static CredentialReport CheckSigner(CoseSign1Message message, List<X509Certificate2> chain, ReadOnlyMemory<byte> claimBytes,
        IReadOnlyCollection<X509Certificate2> anchors, CredentialReport report, List<string> reasons)
    {
        var leaf = chain[0];
        report = report with { Signer = leaf.Subject };
        using (var key = leaf.GetECDsaPublicKey())
        {
            var verified = false;
            try { verified = key is not null && message.VerifyDetached(key, claimBytes.Span); }
            catch (CryptographicException) { }
            if (verified) report = report with { SignatureValid = true };
            else reasons.Add("the claim signature does not verify (the claim was altered or signed by another key)");
        }
        var problem = CertificateProfile.Problem(leaf) ?? CertificateProfile.ChainProblem(leaf, chain.Skip(1), anchors, DateTime.UtcNow);
        if (problem is null) report = report with { ChainValid = true };
        else reasons.Add(problem);
        return report;
    }

    private static List<X509Certificate2> X5Chain(CoseSign1Message message)
    {
        var label = new CoseHeaderLabel((int)C2paManifest.X5Chain);
        if (!message.ProtectedHeaders.TryGetValue(label, out var value) && !message.UnprotectedHeaders.TryGetValue(label, out value)) return [];
        var reader = new CborReader(value.EncodedValue, CborConformanceMode.Lax);
        var certificates = new List<X509Certificate2>();
        if (reader.PeekState() == CborReaderState.ByteString) certificates.Add(X509CertificateLoader.LoadCertificate(reader.ReadByteString()));
        else
        {
            var count = reader.ReadStartArray();
            if (count > 16) throw new FormatException("too many certificates");
            while (reader.PeekState() != CborReaderState.EndArray) certificates.Add(X509CertificateLoader.LoadCertificate(reader.ReadByteString()));
        }
        return certificates;
    }

    /// <summary>Null when the file's bytes outside the exclusions hash to the recorded value; else the reason.</summary>
    private static string? CheckHardBinding(byte[] file, Dictionary<string, object?> hashData)
    {
        if (hashData.Get<string>("alg") is { } alg && alg != "sha256") return $"the hard binding uses {alg}, which Atelier does not check";
        if (hashData.Get<byte[]>("hash") is not { Length: 32 } expected) return "the hard binding has no SHA-256 hash";
        var ranges = new List<(long Start, long Length)>();
        foreach (var item in hashData.Get<List<object?>>("exclusions") ?? [])
        {
            if (item is not Dictionary<string, object?> range || range.GetLong("start") is not { } start || range.GetLong("length") is not { } length
                || start < 0 || length < 0 || start + length > file.Length)
                return "the hard binding has a malformed exclusion range";
            ranges.Add((start, length));
        }
        ranges.Sort();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long at = 0;
        foreach (var (start, length) in ranges)
        {
            if (start < at) return "the hard binding's exclusion ranges overlap";
            hash.AppendData(file, (int)at, (int)(start - at));
            at = start + length;
        }
        hash.AppendData(file, (int)at, (int)(file.Length - at));
        return hash.GetHashAndReset().AsSpan().SequenceEqual(expected) ? null : "the hard binding does not match: the file's bytes were changed after signing";
    }
}
