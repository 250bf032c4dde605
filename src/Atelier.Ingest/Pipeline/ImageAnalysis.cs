using System.Security.Cryptography;
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
    byte[] Thumbnail,
    string? OptOutSignal);

internal static class ImageAnalysis
{
    /// <summary>Decoding only needs enough pixels for PDQ, quality measures and the thumbnail.</summary>
    private const int AnalysisSide = 512;

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Probes, decodes once and derives hashes, quality and thumbnail. Throws <see cref="ImageRejectedException"/>.</summary>
    public static AnalyzedImage Analyze(IngestItem item, string sha256, long maxPixels, int thumbnailSide, bool honourOptOut = true)
    {
        // Decode first: it refuses forged dimensions from the raw header before any codec runs.
        var image = ImageDecoder.Decode(item.Content, new DecodeOptions { MaxPixels = maxPixels, MaxSide = AnalysisSide });
        var info = ImageProbe.Read(item.Content);
        const string xmpOptOut = "the image's XMP metadata prohibits data mining (PLUS DataMining)";
        if (info.DataMiningProhibited && honourOptOut)
            throw new ImageRejectedException(RejectionCodes.OptedOut, xmpOptOut);
        if (info.XmpProblem is { } unreadable)
            throw new ImageRejectedException(RejectionCodes.UnreadableMetadata, unreadable);
        var pdq = PdqHasher.HashRgba(image.Pixels, image.Width, image.Height);
        var quality = QualityMeasures.Measure(image);
        var thumbnail = ImageEncoder.EncodePng(ImageResizer.Thumbnail(image, thumbnailSide), fast: true);
        return new AnalyzedImage(item, sha256, info, pdq, quality, thumbnail, item.OptOutSignal ?? (info.DataMiningProhibited ? xmpOptOut : null));
    }
}
