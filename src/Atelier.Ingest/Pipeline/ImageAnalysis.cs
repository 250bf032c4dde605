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
    PdqHash? PdqDisplayed,
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
        var pdq = ReferencePdq.Of(item.Content, info, image, maxPixels);
        var quality = QualityMeasures.Measure(image);
        // Icon-sized sets would otherwise store every picture twice (and create twice the files).
        var thumbnail = ImageProbe.IsItsOwnThumbnail(info, item.Content, thumbnailSide)
            ? null
            : ImageEncoder.EncodePng(ImageResizer.Thumbnail(image, thumbnailSide), fast: true);
        return new AnalyzedImage(item, sha256, info, pdq.Stored, pdq.Displayed, quality, thumbnail, item.OptOutSignal ?? (info.DataMiningProhibited ? xmpOptOut : null));
    }
}
