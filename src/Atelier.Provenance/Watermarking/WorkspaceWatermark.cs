using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Keys;
using Atelier.Provenance.Sampling;

namespace Atelier.Provenance.Watermarking;

/// <summary>
/// The workspace's watermark: samples are marked with the active key of the key ring; after a rotation, older samples
/// are still found by trying every key of the ring (<see cref="Detect"/>).
/// </summary>
public sealed class WorkspaceWatermark : ISampleMarker
{
    public const string Scheme = Credentials.CredentialClaim.AtelierWatermark;
    private readonly WorkspaceKey _active;
    private readonly IReadOnlyList<(WorkspaceKey Key, WatermarkKey Mark)> _ring;

    private WorkspaceWatermark(KeyRing ring)
    {
        _active = ring.Active;
        // The active key first: it marked the most recent samples.
        _ring = [.. ring.Keys.OrderByDescending(k => k.Id == ring.Active.Id).Select(k => (k, WatermarkKey.For(k)))];
    }

    public static WorkspaceWatermark For(Workspace workspace) => new(GovernanceSession.For(workspace).Keys);

    public string Name => $"{Scheme} (key {_active.Id})";

    public int MinimumSide => Watermark.RobustSide;

    public void Embed(Span<byte> rgb, int width, int height, ulong payload) =>
        Watermark.Embed(rgb, width, height, payload, _ring[0].Mark);

    /// <summary>The mark under any key of the ring; <c>KeyId</c> names the key that found it (null when none did).</summary>
    public (WatermarkDetection Detection, string? KeyId) Detect(ReadOnlySpan<byte> rgb, int width, int height)
    {
        WatermarkDetection? first = null;
        foreach (var (key, mark) in _ring)
        {
            var found = Watermark.Detect(rgb, width, height, mark);
            if (found.Found) return (found, key.Id);
            first ??= found;
        }
        return (first!, null);
    }
}
