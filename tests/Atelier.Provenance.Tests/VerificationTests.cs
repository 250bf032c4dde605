using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Keys;
using Atelier.Imaging;
using Atelier.Provenance.Credentials;
using Atelier.Provenance.Sampling;
using Atelier.Provenance.Verification;
using Atelier.Provenance.Watermarking;
using Atelier.Training;
using Atelier.Training.Networks;
using Atelier.Training.Runs;
using Atelier.Training.Tests;
using Atelier.TestSupport;

namespace Atelier.Provenance.Tests;

/// <summary>
/// Sampling with the real steps (the workspace's watermark and signed credentials), then <see cref="ImageVerification"/> on
/// what came out and on what a re-saver, an editor or an attacker made of it: the mark names the sample through the ledger
/// even without metadata, a changed image fails the hard binding, another workspace's key finds nothing.
/// </summary>
public sealed class VerificationTests : IDisposable
{
    static VerificationTests() => TorchRuntime.EnsureLoadable();

    private static CancellationToken Token => TestContext.Current.CancellationToken;
    private readonly TinyDataset _data = new(count: 16);
    private readonly TempDir _output = new();

    public VerificationTests()
    {
        Trainer.Start(_data.Ws, TrainingOptions.Defaults(ModelKind.Dcgan, "tiny", "v") with
        {
            Resolution = 32, Kimg = 0.016, Batch = 16, SnapshotKimg = 0.016, TickKimg = 0.016, GridSize = 4, Device = "cpu",
        }, null, Token);
        using var identity = SigningIdentity.Initialize(GovernanceSession.For(_data.Ws), DateTimeOffset.UtcNow);
    }

    public void Dispose()
    {
        _output.Dispose();
        _data.Dispose();
    }

    private MarkedSamplingResult Sample(int n, SampleFormat format = SampleFormat.Png)
    {
        using var signer = SigningIdentity.Load(_data.Ws);
        return MarkedSampling.Run(_data.Ws, new MarkedSampleRequest("v", "latest", n, 5, [], _output.Path, format, "cpu"),
            new SamplingSteps(WorkspaceWatermark.For(_data.Ws), new SampleCredentials(signer)), Token);
    }

    private VerifyResult Verify(byte[] bytes) => new ImageVerification(_data.Ws).Verify("file", bytes);

    [Theory]
    [InlineData(SampleFormat.Png)]
    [InlineData(SampleFormat.Jpeg)]
    public void A_sample_verifies_as_itself_by_mark_and_by_credentials(SampleFormat format)
    {
        var result = Sample(3, format);

        Assert.Equal((32, Watermark.RobustSide), (result.Resolution, result.Side));
        Assert.StartsWith(WorkspaceWatermark.Scheme, result.Watermark);
        Assert.StartsWith("C2PA signed by", result.Credentials);
        foreach (var s in result.Samples)
        {
            var v = new ImageVerification(_data.Ws).Verify(s.Path);
            Assert.Null(v.Problem);
            Assert.Equal((Watermark.RobustSide, Watermark.RobustSide), (v.Width, v.Height));
            Assert.True(v.Identified);
            Assert.True(v.Mark!.Found, v.Mark.Reason);
            Assert.Equal(s.MarkPayload, v.Mark.Payload);
            Assert.Equal(GovernanceSession.For(_data.Ws).Keys.Active.Id, v.Mark.KeyId);
            Assert.True(v.Credentials!.Valid, string.Join("; ", v.Credentials.Reasons));
            Assert.Equal(s.MarkPayload, MarkPayloads.ToHex(v.Credentials.SoftBindingPayload!.Value));
            Assert.Equal(XmpMetadata.TrainedAlgorithmicMedia, v.Credentials.DigitalSourceType);
            Assert.Equal($"v/{result.CheckpointId}/5/{s.Index}", v.Credentials.SampleId);
            var l = v.Lineage!;
            Assert.Equal(("watermark", s.Id, "v", result.CheckpointId, "tiny", s.Index, format.Name()), (l.NamedBy, l.SampleId, l.Run, l.CheckpointId, l.Snapshot, l.Index, l.Format));
            Assert.False(l.Tainted);
        }
    }

    [Theory]
    [InlineData(SampleFormat.Png)]
    [InlineData(SampleFormat.Jpeg)]
    public void A_sample_is_valid_with_its_hard_binding_intact_in_both_readers_we_did_not_write(SampleFormat format)
    {
        var sample = Sample(1, format).Samples.Single();
        var anchors = SigningIdentity.AnchorsPathIn(_data.Ws); // the file the workspace writes for other readers

        foreach (var reader in new[] { "c2pa-rs", "c2pa-ts" })
        {
            var result = Credentials.ExternalReadersTests.Run(reader, sample.Path, anchors);
            Assert.True(result.GetProperty("valid").GetBoolean(), $"{reader}: {result}");
            Assert.True(result.GetProperty("trusted").GetBoolean(), $"{reader}: {result}");
            Assert.True(result.GetProperty("hardBinding").GetBoolean(), $"{reader}: {result}");
            Assert.Empty(result.GetProperty("codes").EnumerateArray());
        }
    }

    [Fact]
    public void Stripped_and_re_encoded_copies_are_still_named_by_their_mark()
    {
        var s = Sample(2).Samples[1];
        var pixels = ImageDecoder.Decode(File.ReadAllBytes(s.Path));

        var copies = new[] { ImageEncoder.EncodePng(pixels), ImageEncoder.EncodeJpeg(pixels, 75), ImageEncoder.EncodeJpeg(ImageResizer.Resize(pixels, 192, 192), 85) };
        foreach (var copy in copies)
        {
            var v = Verify(copy);
            Assert.False(v.Credentials!.ManifestFound);
            Assert.False(v.Credentials.XmpFound);
            Assert.True(v.Mark!.Found, $"copy {Array.IndexOf(copies, copy)}: {v.Mark.Reason}");
            Assert.Equal(s.MarkPayload, v.Mark.Payload);
            Assert.Equal(s.Id, v.Lineage!.SampleId);
            Assert.True(v.Identified);
        }
    }

    [Fact]
    public void A_changed_image_fails_the_hard_binding_but_its_mark_still_names_the_sample()
    {
        var s = Sample(1).Samples[0];
        var original = File.ReadAllBytes(s.Path);
        var (xmp, store) = PngContainer.Instance.Find(original);
        var image = ImageDecoder.Decode(original);
        for (int y = 10; y < 16; y++)
            for (int x = 10; x < 16; x++)
                image.Pixels[(y * image.Width + x) * 4] = 255;
        // The edited pixels with the original metadata and manifest put back: what an editor that keeps credentials writes.
        var edited = PngContainer.Instance.WithXmp(ImageEncoder.EncodePng(image), xmp!);
        edited = PngContainer.Insert(edited, PngContainer.Instance.ManifestOffset(edited), PngContainer.Instance.Wrap(store!));

        var v = Verify(edited);

        Assert.True(v.Credentials!.ManifestFound);
        Assert.True(v.Credentials.SignatureValid);
        Assert.True(v.Credentials.ChainValid);
        Assert.False(v.Credentials.HardBindingIntact);
        Assert.False(v.Credentials.Valid);
        Assert.Equal(s.MarkPayload, v.Mark!.Payload);
        Assert.Equal(("watermark", s.Id), (v.Lineage!.NamedBy, v.Lineage.SampleId));
    }

    [Fact]
    public void Another_workspace_finds_no_mark_and_does_not_trust_the_manifest()
    {
        var s = Sample(1).Samples[0];
        using var other = new TempWorkspace();
        using (SigningIdentity.Initialize(GovernanceSession.For(other.Workspace), DateTimeOffset.UtcNow)) { }

        var v = new ImageVerification(other.Workspace).Verify(s.Path);

        Assert.False(v.Mark!.Found);
        Assert.Null(v.Mark.Payload);
        Assert.True(v.Credentials!.SignatureValid);
        Assert.False(v.Credentials.ChainValid);
        Assert.Null(v.Lineage);
        Assert.False(v.Identified);
    }

    [Fact]
    public void After_a_key_rotation_old_samples_are_found_under_the_retired_key_and_new_ones_under_the_new()
    {
        var before = Sample(1).Samples[0];
        var oldKey = GovernanceSession.For(_data.Ws).Keys.Active.Id;
        KeyRotation.Rotate(GovernanceSession.For(_data.Ws));
        var newKey = GovernanceSession.For(_data.Ws).Keys.Active.Id;
        var after = Sample(1).Samples[0];

        Assert.NotEqual(oldKey, newKey);
        var verification = new ImageVerification(_data.Ws);
        Assert.Equal((before.MarkPayload, oldKey), (verification.Verify(before.Path).Mark!.Payload, verification.Verify(before.Path).Mark!.KeyId));
        Assert.Equal((after.MarkPayload, newKey), (verification.Verify(after.Path).Mark!.Payload, verification.Verify(after.Path).Mark!.KeyId));
        Assert.True(verification.Verify(before.Path).Credentials!.Valid);
    }

    [Fact]
    public void A_tainted_lineage_is_reported()
    {
        var s = Sample(1).Samples[0];
        var catalog = _data.Ws.Catalog;
        catalog.TaintDownstream(catalog.ImagesOfSnapshot(catalog.GetSnapshot("tiny")!.Id).Take(1).ToList(), "consent-revoked", "3", "consent 3 was revoked: withdrawn");

        var v = new ImageVerification(_data.Ws).Verify(s.Path);

        Assert.True(v.Identified);
        Assert.True(v.Lineage!.Tainted);
        Assert.Contains(v.Lineage.Taints, t => t.Cause == "consent 3 was revoked: withdrawn");
    }

    [Fact]
    public void Bad_files_each_get_one_line_and_nothing_throws()
    {
        var s = Sample(1).Samples[0];
        var good = File.ReadAllBytes(s.Path);
        var verification = new ImageVerification(_data.Ws);
        var huge = Path.Combine(_output.Path, "huge.png");
        using (var f = File.Create(huge)) f.SetLength(ImageVerification.MaxFileBytes + 1); // sparse: nothing is written
        var empty = Path.Combine(_output.Path, "empty.png");
        File.WriteAllBytes(empty, []);
        var text = Path.Combine(_output.Path, "notes.png");
        File.WriteAllText(text, "not an image at all");
        // A PNG header declaring 60000 x 60000 pixels: refused before any pixel buffer exists.
        var bomb = (byte[])good.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bomb.AsSpan(16), 60000);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bomb.AsSpan(20), 60000);

        var cases = new (VerifyResult Result, string Expected)[]
        {
            (verification.Verify(Path.Combine(_output.Path, "missing.png")), "no such file"),
            (verification.Verify(_output.Path), "is a folder"),
            (verification.Verify(huge), "over the"),
            (verification.Verify(empty), "empty"),
            (verification.Verify(text), "not an image"),
            (verification.Verify("truncated", good[..(good.Length / 2)]), "cannot be decoded"),
            (verification.Verify("bomb", bomb), "cannot be decoded"),
        };
        foreach (var (result, expected) in cases)
        {
            Assert.False(result.Identified);
            Assert.Contains(expected, result.Problem);
            Assert.DoesNotContain('\n', result.Problem!);
        }
    }
}
