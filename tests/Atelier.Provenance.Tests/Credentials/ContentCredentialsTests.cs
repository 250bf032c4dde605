using System.Buffers.Binary;
using Atelier.Imaging;
using Atelier.Provenance.Credentials;
using Atelier.TestSupport;

namespace Atelier.Provenance.Tests.Credentials;

public class ContentCredentialsTests
{
    public static TheoryData<ImageKind> Kinds => [ImageKind.Png, ImageKind.Jpeg];

    internal static byte[] Image(ImageKind kind, int seed = 7) =>
        kind == ImageKind.Png ? SyntheticImages.Png(96, 64, seed) : SyntheticImages.Jpeg(96, 64, seed);

    internal static byte[] Signed(ImageKind kind, ulong? payload = 0x0123456789abcdefUL) =>
        ContentCredentials.Attach(Image(kind), kind, TestIdentities.Claim(payload), TestIdentities.Signer);

    [Theory, MemberData(nameof(Kinds))]
    public void A_signed_image_reads_back_valid_with_its_metadata(ImageKind kind)
    {
        var report = ContentCredentials.Read(Signed(kind), TestIdentities.Anchors);

        Assert.True(report.Valid, string.Join("; ", report.Reasons));
        Assert.Empty(report.Reasons);
        Assert.Equal(kind, report.Kind);
        Assert.True(report.XmpFound);
        Assert.Equal(XmpMetadata.TrainedAlgorithmicMedia, report.DigitalSourceType);
        Assert.Equal(XmpMetadata.TrainedAlgorithmicMedia, report.ClaimDigitalSourceType);
        Assert.Equal("S-00042", report.SampleId);
        Assert.Equal("Atelier 0.1.0", report.SoftwareAgent);
        Assert.Equal("Atelier 0.1.0", report.ClaimGenerator);
        Assert.Equal(0x0123456789abcdefUL, report.SoftBindingPayload);
        Assert.Equal(CredentialClaim.AtelierWatermark, report.SoftBindingAlgorithm);
        Assert.StartsWith("urn:c2pa:", report.ManifestLabel);
        Assert.Contains("Atelier content credentials", report.Signer);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Attaching_keeps_the_pixels(ImageKind kind)
    {
        var original = Image(kind);
        var signed = ContentCredentials.Attach(original, kind, TestIdentities.Claim(), TestIdentities.Signer);

        Assert.True(signed.Length > original.Length);
        Assert.Equal(ImageDecoder.Decode(original).Pixels, ImageDecoder.Decode(signed).Pixels);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Attaching_again_replaces_the_credentials_instead_of_adding_a_second_set(ImageKind kind)
    {
        var twice = ContentCredentials.Attach(Signed(kind), kind, TestIdentities.Claim(42), TestIdentities.Signer);
        var report = ContentCredentials.Read(twice, TestIdentities.Anchors);

        Assert.True(report.Valid, string.Join("; ", report.Reasons));
        Assert.Equal(42UL, report.SoftBindingPayload);
        Assert.Equal(1, Occurrences(twice, "http://ns.adobe.com/xap/1.0/\0"u8) + Occurrences(twice, "XML:com.adobe.xmp\0"u8));
        Assert.Equal(1, Occurrences(twice, "c2pa.claim.v2"u8));
    }

    [Fact]
    public void Without_a_watermark_there_is_no_soft_binding()
    {
        var report = ContentCredentials.Read(Signed(ImageKind.Png, payload: null), TestIdentities.Anchors);

        Assert.True(report.Valid, string.Join("; ", report.Reasons));
        Assert.Null(report.SoftBindingPayload);
        Assert.Null(report.SoftBindingAlgorithm);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_changed_pixel_byte_breaks_the_hard_binding_but_not_the_signature(ImageKind kind)
    {
        var file = Signed(kind);
        var at = ImageDataOffset(file, kind);
        file[at] ^= 0x01;

        var report = ContentCredentials.Read(file, TestIdentities.Anchors);

        Assert.False(report.HardBindingIntact);
        Assert.False(report.Valid);
        Assert.True(report.SignatureValid);
        Assert.True(report.AssertionsIntact);
        Assert.Contains(report.Reasons, r => r.Contains("hard binding does not match"));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Another_workspaces_anchor_does_not_vouch_for_the_signer(ImageKind kind)
    {
        var report = ContentCredentials.Read(Signed(kind), TestIdentities.OtherAnchors);

        Assert.True(report.SignatureValid);
        Assert.True(report.HardBindingIntact);
        Assert.False(report.ChainValid);
        Assert.False(report.Valid);
        Assert.Contains(report.Reasons, r => r.Contains("does not chain to a trusted anchor"));
    }

    [Fact]
    public void An_altered_assertion_no_longer_matches_the_claim()
    {
        var file = Signed(ImageKind.Png);
        // The soft binding's payload text sits inside the assertion store; change one hex digit of it.
        var at = IndexOf(file, "0123456789abcdef"u8);
        file[at] = (byte)'f';

        var report = ContentCredentials.Read(file, TestIdentities.Anchors);

        Assert.False(report.AssertionsIntact);
        Assert.False(report.Valid);
        Assert.Contains(report.Reasons, r => r.Contains("c2pa.soft-binding does not match its hash"));
    }

    [Fact]
    public void An_altered_claim_fails_the_signature()
    {
        var file = Signed(ImageKind.Jpeg);
        var at = IndexOf(file, "S-00042"u8, after: IndexOf(file, "c2pa.claim.v2"u8));
        file[at + 6] = (byte)'3';

        var report = ContentCredentials.Read(file, TestIdentities.Anchors);

        Assert.False(report.SignatureValid);
        Assert.False(report.Valid);
        Assert.Contains(report.Reasons, r => r.Contains("signature does not verify"));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void A_plain_image_has_no_credentials_and_says_so(ImageKind kind)
    {
        var report = ContentCredentials.Read(Image(kind), TestIdentities.Anchors);

        Assert.False(report.ManifestFound);
        Assert.False(report.XmpFound);
        Assert.False(report.Valid);
        Assert.Equal(["no XMP packet", "no C2PA manifest"], report.Reasons);
    }

    [Fact]
    public void A_file_that_is_not_an_image_gets_one_reason()
    {
        var report = ContentCredentials.Read("just some text, not an image"u8.ToArray(), TestIdentities.Anchors);

        Assert.Null(report.Kind);
        Assert.Equal(["not a PNG or JPEG file"], report.Reasons);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Every_truncation_gives_a_reason_and_never_an_exception(ImageKind kind)
    {
        var file = Signed(kind);
        for (var length = 0; length < file.Length; length += Math.Max(1, file.Length / 211))
        {
            var report = ContentCredentials.Read(file[..length], TestIdentities.Anchors);
            Assert.False(report.Valid, $"cut at {length}");
            Assert.NotEmpty(report.Reasons);
            Assert.All(report.Reasons, r => Assert.DoesNotContain('\n', r));
        }
    }

    /// <summary>
    /// Corrupts a fixed signed file (Fixtures/, signed once with a throwaway test identity), not a freshly signed one:
    /// signatures and keys differ per run, so only fixed bytes make the same seed hit the same places every time.
    /// </summary>
    [Theory, MemberData(nameof(Kinds))]
    public void Random_corruption_of_the_manifest_never_throws(ImageKind kind)
    {
        var file = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Credentials", "Fixtures", kind == ImageKind.Png ? "signed.png" : "signed.jpg"));
        // From the container's header before the first JUMBF box to the end: the manifest, its framing and what follows.
        var start = file.AsSpan().IndexOf("jumb"u8) - 16;
        var length = file.Length - start;
        var rng = new Random(12);
        for (var round = 0; round < 1000; round++)
        {
            var copy = (byte[])file.Clone();
            for (var k = 0; k < 1 + round % 4; k++) copy[start + rng.Next(length)] = (byte)rng.Next(256);
            var report = ContentCredentials.Read(copy, TestIdentities.Anchors);
            Assert.NotNull(report);
            Assert.All(report.Reasons, r => Assert.DoesNotContain('\n', r));
        }
    }

    /// <summary>
    /// The structural twin of the random test: its hits depend on where the (randomly signed) bytes fall, so every
    /// description box is also retyped to every C2PA box type. That gives duplicate claims, signatures and
    /// assertion stores on every run, each of which must come back as a reason.
    /// </summary>
    [Theory, MemberData(nameof(Kinds))]
    public void Every_box_retyped_as_another_gives_a_reason_and_never_an_exception(ImageKind kind)
    {
        var file = Signed(kind);
        string[] codes = ["c2pa", "c2ma", "c2as", "c2cl", "c2cs", "cbor"];
        var duplicates = 0;
        var boxes = 0;
        for (var at = file.AsSpan().IndexOf("jumd"u8); at >= 0; at = NextAfter(file, "jumd"u8, at), boxes++)
            foreach (var code in codes)
            {
                var copy = (byte[])file.Clone();
                System.Text.Encoding.ASCII.GetBytes(code, copy.AsSpan(at + 4, 4));
                if (copy.AsSpan().SequenceEqual(file)) continue;
                var report = ContentCredentials.Read(copy, TestIdentities.Anchors);
                Assert.False(report.Valid, $"box at {at} retyped as {code}");
                Assert.NotEmpty(report.Reasons);
                Assert.All(report.Reasons, r => Assert.DoesNotContain('\n', r));
                if (report.Reasons.Any(r => r.Contains("more than one", StringComparison.Ordinal))) duplicates++;
            }
        Assert.True(boxes >= 6, $"only {boxes} description boxes found");
        // The reader looks for the assertion store, then the claim, then the signature, and stops at the first missing one:
        // claim or signature retyped as an assertion store, and signature retyped as a claim, are the duplicates it reaches.
        Assert.True(duplicates >= 3, $"only {duplicates} retypings produced a duplicate");
    }

    [Fact]
    public void Deeply_nested_boxes_are_refused_with_a_reason()
    {
        byte[] box = Jumbf.SuperBox(Jumbf.ManifestStore, "c2pa");
        for (var i = 0; i < 200; i++) box = Jumbf.SuperBox(Jumbf.ManifestStore, "c2pa", box);
        var png = PngContainer.Insert(Image(ImageKind.Png), 33, PngContainer.Instance.Wrap(box));

        var report = ContentCredentials.Read(png, TestIdentities.Anchors);

        Assert.Contains("the JUMBF boxes are nested too deeply", report.Reasons);
    }

    [Fact]
    public void An_xmp_packet_with_a_dtd_is_refused()
    {
        var xxe = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x:xmpmeta xmlns:x=\"adobe:ns:meta/\">&e;</x:xmpmeta>"u8;
        var png = PngContainer.Instance.WithXmp(Image(ImageKind.Png), xxe);

        var report = ContentCredentials.Read(png, TestIdentities.Anchors);

        Assert.False(report.XmpFound);
        Assert.Contains(report.Reasons, r => r.StartsWith("the XMP packet is not well-formed XML"));
    }

    /// <summary>An offset inside the compressed pixels: PNG's IDAT data, JPEG's entropy-coded scan.</summary>
    internal static int ImageDataOffset(byte[] file, ImageKind kind) =>
        kind == ImageKind.Png ? IndexOf(file, "IDAT"u8) + 20 : file.Length - 10; // JPEG: the scan runs up to EOI, the last two bytes

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle, int after = 0)
    {
        var i = haystack.AsSpan(after).IndexOf(needle);
        Assert.True(i >= 0, "marker not found");
        return after + i;
    }

    private static int NextAfter(byte[] haystack, ReadOnlySpan<byte> needle, int at) =>
        haystack.AsSpan(at + 1).IndexOf(needle) is var i and >= 0 ? at + 1 + i : -1;

    private static int Occurrences(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        for (var span = haystack.AsSpan(); span.IndexOf(needle) is var i and >= 0; span = span[(i + needle.Length)..]) count++;
        return count;
    }
}
