using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance;
using Atelier.Governance.Audit;
using Atelier.Governance.Policy;
using Atelier.Imaging;

namespace Atelier.Datasets;

/// <param name="FinalDirectory">Where the export will live when the caller builds it in <paramref name="OutputDirectory"/> and renames it
/// into place afterwards (the audit entry names this one); null when it is written where it stays.</param>
public sealed record DatasetExportRequest(string Name, string OutputDirectory, int Resolution, FitMode Fit, Rgb Background, ExportFormat Format,
    string? FinalDirectory = null);

/// <summary>What an export wrote, with the policy report of the gate it passed.</summary>
public sealed record DatasetExportResult(string OutputDirectory, int Images, string RootHash, double Seconds, PolicyReport? Policy = null);

/// <summary>
/// Writes a snapshot as training data: each original is decoded, oriented, fitted to a square
/// (<see cref="ImageResizer.Fit"/>: alpha composited on the background, then cropped or padded, then
/// resampled with the imaging layer's one filter) and handed to the format's writer in snapshot order.
/// </summary>
public static class DatasetExport
{
    public static DatasetExportResult Run(Workspace workspace, DatasetExportRequest request, CancellationToken cancellation = default)
    {
        if (request.Resolution is < 8 or > 4096) throw new AtelierException("bad-resolution", $"resolution {request.Resolution} is outside 8..4096");
        var (record, manifest) = Snapshots.Load(workspace, request.Name);
        // The snapshot is judged again as things stand now: a consent may have been revoked, an image quarantined, the policy changed.
        var session = GovernanceSession.For(workspace);
        session.Actor.Require(Role.Reviewer, "export datasets");
        var report = PolicyGate.EnsureSnapshotUsable(session, record, PolicyStage.Export);
        var started = DateTime.UtcNow;
        var options = new ExportOptions
        {
            OutputDirectory = request.OutputDirectory,
            Resolution = request.Resolution,
            SnapshotName = record.Name,
            SnapshotRoot = record.RootHash,
            Fit = request.Fit.ToString().ToLowerInvariant(),
            Background = $"#{request.Background.R:x2}{request.Background.G:x2}{request.Background.B:x2}",
        };
        var maxPixels = workspace.Config.Ingest.MaxPixels;
        try
        {
            using var writer = ExportWriters.Create(request.Format, options, EncodePng);
            var prepared = manifest.Items
                .AsParallel().AsOrdered().WithCancellation(cancellation)
                .Select(item => (item, rgb: Prepare(workspace.Blobs.Read(item.Sha256), item, request, maxPixels)));
            var index = 0;
            foreach (var (item, rgb) in prepared)
                writer.Add(index++, ExportLabel.From(item), rgb);
            writer.Complete();
            session.Record(AuditAction.Export,
                new { dataset = record.Name, root = record.RootHash, images = index, format = request.Format.ToString().ToLowerInvariant(), request.Resolution, output = request.FinalDirectory ?? request.OutputDirectory },
                GovernanceSession.Ref("snapshot", record.Id));
            return new DatasetExportResult(request.OutputDirectory, index, record.RootHash, (DateTime.UtcNow - started).TotalSeconds, report);
        }
        catch (DatasetException e)
        {
            throw new AtelierException(e.Code.ToString(), $"export failed: {e.Message}");
        }
        catch (ImageRejectedException e)
        {
            throw new AtelierException(e.Code, $"export failed: a stored image no longer decodes: {e.Message}");
        }
    }

    private static byte[] Prepare(byte[] original, SnapshotItem item, DatasetExportRequest request, long maxPixels)
    {
        // Let JPEG decode at a reduced DCT scale while still giving the fit enough pixels on the side it keeps.
        var longSide = Math.Max(item.Width, item.Height);
        var shortSide = Math.Max(1, Math.Min(item.Width, item.Height));
        var needed = request.Fit == FitMode.Crop ? (int)Math.Min(int.MaxValue, (long)request.Resolution * longSide / shortSide) : request.Resolution;
        var image = ImageDecoder.Decode(original, new DecodeOptions { MaxPixels = maxPixels, MaxSide = Math.Max(needed, request.Resolution) });
        var fitted = ImageResizer.Fit(image, request.Resolution, request.Fit, request.Background);
        var rgba = fitted.Pixels;
        var rgb = new byte[request.Resolution * request.Resolution * 3];
        for (int s = 0, d = 0; s < rgba.Length; s += 4, d += 3)
        {
            rgb[d] = rgba[s];
            rgb[d + 1] = rgba[s + 1];
            rgb[d + 2] = rgba[s + 2];
        }
        return rgb;
    }

    private static byte[] EncodePng(ReadOnlySpan<byte> rgb, int width, int height) =>
        ImageEncoder.EncodePng(RgbaImage.FromRgb(rgb, width, height));
}
