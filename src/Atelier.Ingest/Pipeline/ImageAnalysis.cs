using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.Hashing;
using Atelier.Imaging;

namespace Atelier.Ingest.Pipeline;

/// <summary>Everything ingest derives from one file's bytes; computed on a worker thread, stored by the writer.</summary>
internal sealed record AnalyzedImage(
    IngestItem Item,
    string Sha256,
    ImageInfo Info,
    PdqResult Pdq,
    ImageQuality Quality,
    byte[]? Thumbnail,
    string? OptOutSignal)
{
    /// <summary>
    /// Stores the original (flushed later, with its batch) and the thumbnail; returns the thumbnail's SHA-256. An image
    /// without a thumbnail of its own is its own thumbnail.
    /// </summary>
    public string StoreBlobs(BlobStore blobs)
    {
        blobs.Put(Sha256, Item.Content, durable: false);
        return Thumbnail is null ? Sha256 : blobs.PutDeferred(Thumbnail);
    }
}

internal static class ImageAnalysis
{
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Probes, decodes once and derives hashes, quality and thumbnail. Throws <see cref="ImageRejectedException"/>.</summary>
    public static AnalyzedImage Analyze(IngestItem item, string sha256, long maxPixels, int thumbnailSide, bool honourOptOut = true)
    {
        // Decode first: it refuses forged dimensions from the raw header before any codec runs.
        var image = ImageDecoder.Decode(item.Content, new DecodeOptions { MaxPixels = maxPixels, MaxSide = Math.Max(DecodeOptions.AnalysisSide, thumbnailSide) });
        var info = ImageProbe.Read(item.Content);
        const string xmpOptOut = "the image's XMP metadata prohibits data mining (PLUS DataMining)";
        if (info.DataMiningProhibited && honourOptOut)
            throw new ImageRejectedException(RejectionCodes.OptedOut, xmpOptOut);
        if (info.XmpProblem is { } unreadable)
            throw new ImageRejectedException(RejectionCodes.UnreadableMetadata, unreadable);
        var pdq = ReferencePdq(item.Content, image, info, maxPixels);
        var quality = QualityMeasures.Measure(image);
        // Icon-sized sets would otherwise store every picture twice (and create twice the files).
        var thumbnail = ImageProbe.IsItsOwnThumbnail(info, item.Content, thumbnailSide)
            ? null
            : ImageEncoder.EncodePng(ImageResizer.Thumbnail(image, thumbnailSide), fast: true);
        return new AnalyzedImage(item, sha256, info, pdq, quality, thumbnail, item.OptOutSignal ?? (info.DataMiningProhibited ? xmpOptOut : null));
    }

    /// <summary>
    /// The PDQ hash as the reference and hash-sharing lists compute it: from the full-size pixels (the hasher
    /// then resizes them to 512 x 512 by nearest neighbour). A JPEG the analysis decode scaled down is decoded
    /// again at full size for it: one full decode plus the DCT-scaled one for the quality measures and the
    /// thumbnail costs less than taking those from the full decode (docs/decisions/0007-pdq-reference-pipeline.md).
    /// </summary>
    private static PdqResult ReferencePdq(byte[] content, RgbaImage analysis, ImageInfo info, long maxPixels)
    {
        var full = (long)analysis.Width * analysis.Height < (long)info.Width * info.Height
            ? ImageDecoder.Decode(content, new DecodeOptions { MaxPixels = maxPixels })
            : analysis;
        return PdqHasher.HashRgba(full.Pixels, full.Width, full.Height);
    }
}
