using Atelier.Catalog;

namespace Atelier.Provenance.Sampling;

/// <summary>
/// The watermark step of <see cref="MarkedSampling"/>: embeds <paramref name="payload"/> invisibly into the pixels, in place,
/// before encoding. Implemented by Watermarking; the pipeline passes each sample's ledger payload.
/// </summary>
public interface ISampleMarker
{
    /// <summary>What the audit entry names as the mark (e.g. the scheme and its version).</summary>
    string Name { get; }

    /// <summary>The smallest side the mark holds up in; smaller samples are upscaled to it before marking.</summary>
    int MinimumSide { get; }

    /// <param name="rgb">uint8 HWC RGB, <paramref name="width"/> x <paramref name="height"/>.</param>
    void Embed(Span<byte> rgb, int width, int height, ulong payload);
}

/// <summary>What a credential claims about one sample: who made it from what, when, and the payload its watermark carries.</summary>
/// <param name="SampleName">Names the sample before it has a catalog id: <c>run/checkpoint/seed/index</c>; the payload leads to its record.</param>
public sealed record SampleClaim(string SampleName, string MarkPayload, string Run, long CheckpointId, string CheckpointSha256, string SnapshotRoot,
    long Seed, int Index, IReadOnlyList<string> Labels, string SoftwareAgent, DateTimeOffset Created, bool Watermarked);

/// <summary>
/// The credentials step of <see cref="MarkedSampling"/>: given the encoded file, returns it with its metadata (XMP) and signed
/// manifest (C2PA) attached. Implemented by Credentials.
/// </summary>
public interface ICredentialWriter
{
    string Name { get; }

    byte[] Attach(byte[] encoded, SampleFormat format, SampleClaim claim);
}

/// <summary>The optional steps of the pipeline; null: the step does not run (and the result says so).</summary>
public sealed record SamplingSteps(ISampleMarker? Marker = null, ICredentialWriter? Credentials = null)
{
    public static SamplingSteps None { get; } = new();
}
