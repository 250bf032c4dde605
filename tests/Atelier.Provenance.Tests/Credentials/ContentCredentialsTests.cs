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

    [Fact]
    public void Random_corruption_of_the_manifest_never_throws()
    {
        var file = Signed(ImageKind.Png);
        var start = IndexOf(file, "caBX"u8);
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(start - 4));
        var rng = new Random(12);
        for (var round = 0; round < 400; round++)
        {
            var copy = (byte[])file.Clone();
            for (var k = 0; k < 1 + round % 4; k++) copy[start + 4 + rng.Next(length)] = (byte)rng.Next(256);
            var report = ContentCredentials.Read(copy, TestIdentities.Anchors);
            Assert.NotNull(report);
            Assert.All(report.Reasons, r => Assert.DoesNotContain('\n', r));
        }
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

    private static int Occurrences(byte[] haystack, ReadOnlySpan<byte> needle)
    {
        var count = 0;
        for (var span = haystack.AsSpan(); span.IndexOf(needle) is var i and >= 0; span = span[(i + needle.Length)..]) count++;
        return count;
    }
}
