using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.Hashing;
using Atelier.Imaging;
using Atelier.TestSupport;

namespace Atelier.Governance.Tests;

/// <summary>Real images in a real workspace for the blocklist tests: bytes in the blob store, PDQ and thumbnail as ingest makes them.</summary>
internal static class BlocklistTestKit
{
    public static GovernanceSession Session(TempWorkspace ws) => GovernanceSession.Open(ws.Workspace, _ => null);

    public static PdqResult Pdq(byte[] encoded)
    {
        // As ingest hashes: the full-size pixels (the hasher resizes them as the reference does).
        var image = ImageDecoder.Decode(encoded);
        return PdqHasher.HashRgba(image.Pixels, image.Width, image.Height);
    }

    public static PdqResult Pdq(RgbaImage image) => PdqHasher.HashRgba(image.Pixels, image.Width, image.Height);

    /// <summary>Adds an image with its blob and thumbnail; <paramref name="withMd5"/> false mimics an image ingested before MD5s were kept.</summary>
    public static long AddImage(TempWorkspace ws, byte[] bytes, string name, bool withMd5 = true)
    {
        var sha = ws.Workspace.Blobs.Put(bytes);
        var image = ImageDecoder.Decode(bytes, DecodeOptions.Analysis);
        var pdq = Pdq(bytes);
        var thumb = ws.Workspace.Blobs.Put(ImageEncoder.EncodePng(ImageResizer.Thumbnail(image, 128), fast: true));
        var id = ws.Catalog.AddImage(
            new ImageRecord
            {
                Sha256 = sha, Format = "png", Width = image.Width, Height = image.Height, Source = "test", SizeBytes = bytes.Length,
                Pdq = pdq.Hash.ToBytes(), PdqQuality = pdq.Quality, ThumbnailSha256 = thumb,
            },
            new Provenance("test:" + name, name, "test", "MIT", null, null), []);
        if (withMd5) ws.Catalog.SetMd5(id, Md5(bytes));
        return id;
    }

    public static string Md5(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>True when <paramref name="needle"/> occurs anywhere in <paramref name="haystack"/>.</summary>
    public static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
