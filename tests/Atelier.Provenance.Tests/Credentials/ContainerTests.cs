using System.Buffers.Binary;
using Atelier.Provenance.Credentials;

namespace Atelier.Provenance.Tests.Credentials;

/// <summary>The container layer on its own: a store too big for one JPEG segment, and broken segment sequences.</summary>
public class ContainerTests
{
    /// <summary>A manifest store of about 200 KB: four APP11 segments.</summary>
    private static byte[] BigStore()
    {
        var filler = new byte[200_000];
        new Random(3).NextBytes(filler);
        return Jumbf.SuperBox(Jumbf.ManifestStore, "c2pa", Jumbf.CborBox(filler));
    }

    private static byte[] JpegWith(byte[] store)
    {
        var jpeg = ContentCredentialsTests.Image(ImageKind.Jpeg);
        return PngContainer.Insert(jpeg, JpegContainer.Instance.ManifestOffset(jpeg), JpegContainer.Instance.Wrap(store));
    }

    [Fact]
    public void A_store_spanning_several_app11_segments_reads_back_whole()
    {
        var store = BigStore();
        var wrapped = JpegContainer.Instance.Wrap(store);

        Assert.Equal(4, Segments(wrapped).Count);
        Assert.All(Segments(wrapped), s => Assert.True(s.Length <= 0xFFFF + 2));
        Assert.Equal(store, JpegContainer.Instance.Find(JpegWith(store)).ManifestStore);
        Assert.Null(JpegContainer.Instance.Find(JpegContainer.Instance.Strip(JpegWith(store))).ManifestStore);
    }

    [Fact]
    public void A_missing_segment_is_named()
    {
        var file = JpegWith(BigStore());
        var second = Segments(file).First(s => s.Marker == 0xEB && BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(s.Offset + 8)) == 2);
        byte[] cut = [.. file[..second.Offset], .. file[(second.Offset + second.Length)..]];

        var report = ContentCredentials.Read(cut, TestIdentities.Anchors);

        Assert.Contains("the JPEG's APP11 segments of the manifest store are not in sequence (one is missing or repeated)", report.Reasons);
    }

    [Fact]
    public void A_manifest_chunk_over_the_limit_is_refused_unread()
    {
        var png = ContentCredentialsTests.Image(ImageKind.Png);
        var huge = PngContainer.Insert(png, 33, PngContainer.Instance.Wrap(new byte[PngContainer.MaxManifest + 1]));

        var report = ContentCredentials.Read(huge, TestIdentities.Anchors);

        Assert.Contains(report.Reasons, r => r.StartsWith("the PNG's caBX chunk is") && r.Contains("over the"));
    }

    /// <summary>Segments up to the scan: offset, marker, whole length with marker and length field.</summary>
    private static List<(int Offset, byte Marker, int Length)> Segments(byte[] bytes)
    {
        var list = new List<(int, byte, int)>();
        var at = bytes[0] == 0xFF && bytes[1] == 0xD8 ? 2 : 0;
        while (at + 4 <= bytes.Length && bytes[at] == 0xFF && bytes[at + 1] != 0xDA)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2)) + 2;
            list.Add((at, bytes[at + 1], length));
            at += length;
        }
        return list;
    }
}
