namespace Atelier.Provenance.Credentials;

/// <summary>
/// What a generated image's credentials state: which sample it is, what made it, when, and the invisible watermark's
/// payload (recorded as the manifest's soft binding, so a copy stripped of metadata can still be matched to it).
/// </summary>
/// <param name="SoftwareAgent">The generator's name, e.g. "Atelier".</param>
/// <param name="SoftwareVersion">Its version; null when unknown.</param>
/// <param name="WatermarkPayload">The watermark payload embedded in the pixels; null when the image carries none.</param>
/// <param name="WatermarkAlgorithm">The soft-binding algorithm name the payload is declared under.</param>
public sealed record CredentialClaim(
    string SampleId,
    string SoftwareAgent,
    string? SoftwareVersion,
    DateTimeOffset Created,
    ulong? WatermarkPayload,
    string WatermarkAlgorithm = CredentialClaim.AtelierWatermark)
{
    /// <summary>Atelier's own watermark (Atelier.Provenance.Watermarking): 64 payload bits.</summary>
    public const string AtelierWatermark = "io.github.atelier.watermark.v1";

    /// <summary>"Atelier 0.1.0": the software agent as XMP's CreatorTool carries it.</summary>
    public string SoftwareAgentText => SoftwareVersion is null ? SoftwareAgent : $"{SoftwareAgent} {SoftwareVersion}";
}
