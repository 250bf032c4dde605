using Atelier.Catalog;
using Atelier.Imaging;
using Atelier.Provenance.Credentials;
using Atelier.Provenance.Sampling;
using Atelier.Provenance.Watermarking;

namespace Atelier.Provenance.Verification;

/// <summary>What the invisible mark said: found under which key of the ring, how many code bits were corrected.</summary>
public sealed record MarkFinding(bool Found, string? Payload, string? KeyId, int CorrectedBits, double Confidence, string Reason);

/// <summary>
/// The ledger's answer for a payload: the sample, and the checkpoint, run and snapshot it came from, with their taints
/// (a withdrawn consent or a quarantine upstream). <see cref="NamedBy"/>: "watermark", or "credentials" when only the
/// (valid, trusted) manifest's soft binding named it.
/// </summary>
public sealed record SampleLineage(string NamedBy, string Payload, long SampleId, string Run, long CheckpointId, long CheckpointImages, long Seed, int Index,
    string Snapshot, string SnapshotRoot, string Format, DateTimeOffset CreatedAt, IReadOnlyList<TaintRecord> Taints)
{
    public bool Tainted => Taints.Count > 0;
}

/// <param name="Problem">Why the file could not be examined at all (missing, too big, not an image); null when it was.</param>
/// <param name="Identified">The file is one of this workspace's samples: its mark, or its valid credentials, lead to a recorded sample.</param>
public sealed record VerifyResult(string File, string? Format, int? Width, int? Height, CredentialReport? Credentials, MarkFinding? Mark,
    SampleLineage? Lineage, bool Identified, string? Problem);

/// <summary>
/// <c>atelier verify</c>: for each file, its metadata and C2PA manifest (signature, chain to the workspace's trust
/// anchors, hard binding), the invisible mark under every key of the ring (it survives metadata stripping and
/// re-encoding), and the ledger's lineage of the payload. Never throws for a bad file: every problem is a line.
/// </summary>
public sealed class ImageVerification
{
    /// <summary>Files above this are refused before being read (the credentials reader's own limit).</summary>
    public const long MaxFileBytes = ContentCredentials.MaxFileBytes;

    // The mark is read from a frame normalised to a fixed size, so a large image loses nothing by decoding at this side.
    private static readonly DecodeOptions Decoding = new() { MaxSide = 4096 };

    private readonly Workspace _workspace;
    private readonly WorkspaceWatermark _watermark;
    private readonly IReadOnlyCollection<System.Security.Cryptography.X509Certificates.X509Certificate2> _anchors;

    public ImageVerification(Workspace workspace)
    {
        _workspace = workspace;
        _watermark = WorkspaceWatermark.For(workspace);
        _anchors = SigningIdentity.TrustAnchorsOf(workspace);
    }

    public VerifyResult Verify(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (Directory.Exists(path)) return Refused(path, "is a folder, not an image file");
            if (!info.Exists) return Refused(path, "no such file");
            if (info.Length > MaxFileBytes) return Refused(path, $"the file is {info.Length} bytes, over the {MaxFileBytes}-byte limit");
            if (info.Length == 0) return Refused(path, "the file is empty");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refused(path, $"cannot be read ({e.Message.Split('\n')[0]})");
        }
        return Verify(path, bytes);
    }

    public VerifyResult Verify(string name, byte[] bytes)
    {
        var format = ImageFormats.Sniff(bytes);
        if (format is null) return Refused(name, "not an image (neither PNG, JPEG, WebP nor any other format Atelier reads)");
        var credentials = ContentCredentials.Read(bytes, _anchors);
        RgbaImage image;
        try
        {
            image = ImageDecoder.Decode(bytes, Decoding);
        }
        catch (ImageRejectedException e)
        {
            return new VerifyResult(name, Name(format.Value), null, null, credentials, null, null, false, $"the {Name(format.Value)} cannot be decoded: {e.Message.Split('\n')[0]}");
        }
        ImageResizer.CompositeInPlace(image, new Rgb(255, 255, 255));
        var (detection, keyId) = _watermark.Detect(image.ToRgb(), image.Width, image.Height);
        var mark = new MarkFinding(detection.Found, detection.Found ? MarkPayloads.ToHex(detection.Payload) : null, keyId,
            detection.CorrectedBits, detection.Confidence, detection.Reason);

        SampleLineage? lineage = null;
        if (mark.Payload is { } payload) lineage = Lineage("watermark", payload);
        // A valid manifest signed under this workspace's anchors is as good a witness as the mark.
        if (lineage is null && credentials.Valid && credentials.SoftBindingPayload is { } bound) lineage = Lineage("credentials", MarkPayloads.ToHex(bound));
        return new VerifyResult(name, Name(format.Value), image.Width, image.Height, credentials, mark, lineage, lineage is not null, null);
    }

    private SampleLineage? Lineage(string namedBy, string payload)
    {
        if (_workspace.Catalog.LineageOfMark(payload) is not { } l) return null;
        return new SampleLineage(namedBy, payload, l.Sample.Id, l.Run.Name, l.Checkpoint.Id, l.Checkpoint.ImagesSeen, l.Sample.Seed, l.Sample.Index,
            l.Snapshot.Name, l.Snapshot.RootHash, l.Sample.Format, l.Sample.CreatedAt, l.Taints);
    }

    private static VerifyResult Refused(string name, string problem) => new(name, null, null, null, null, null, null, false, problem);

    private static string Name(ImageFormat format) => format.ToString().ToUpperInvariant();
}
