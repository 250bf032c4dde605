using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Policy;

namespace Atelier.Datasets;

/// <summary>What a tag export wrote; <see cref="Policy"/> is the gate's report when originals were copied.</summary>
public sealed record TagExportResult(int Written, int ImagesCopied, PolicyReport? Policy);

/// <summary>
/// Writes <c>NAME.txt</c> tag sidecars (and optionally the originals) for kohya-style trainers. Sidecars say only what a
/// viewer may read anyway; copying originals is an export of images, so it goes through the same gate as
/// <c>dataset export</c>: the reviewer role, the policy (violating images are left out, sidecar and all, and listed)
/// and an audit entry naming every image copied.
/// </summary>
public static class TagExport
{
    public static TagExportResult Write(Workspace ws, Selector selector, string outDir, bool withImages)
    {
        var images = ws.Catalog.ListImages(selector);
        PolicyReport? report = null;
        GovernanceSession? session = null;
        if (withImages)
        {
            session = GovernanceSession.For(ws);
            session.Actor.Require(Role.Reviewer, "export images");
            report = PolicyGate.Evaluate(session, PolicyStage.TagExport, images.Select(i => i.Id).ToList());
            var passed = report.PassedImageIds.ToHashSet();
            images = images.Where(i => passed.Contains(i.Id)).ToList();
        }
        Directory.CreateDirectory(outDir);
        var tags = ws.Catalog.TagsOf(selector);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var written = 0;
        foreach (var image in images)
        {
            var original = ws.Catalog.GetDetails(image.Id)!.Provenance.FirstOrDefault()?.FileName;
            var stem = SafeStem(original) ?? image.Sha256[..16];
            if (!used.Add(stem)) used.Add(stem = $"{stem}_{image.Id}");
            // Rating first so trainers that read the first tag as a quality/rating token see it.
            var line = string.Join(", ", (image.Rating is { } r ? [$"rating:{r}"] : Array.Empty<string>())
                .Concat((tags.GetValueOrDefault(image.Id) ?? []).OrderBy(t => t.Category == Tags.General ? 1 : 0).ThenBy(t => t.Name).Select(t => t.Name)));
            AtomicFile.WriteAllBytes(Path.Combine(outDir, stem + ".txt"), System.Text.Encoding.UTF8.GetBytes(line + "\n"));
            if (withImages)
                AtomicFile.WriteAllBytes(Path.Combine(outDir, stem + "." + Extension(image.Format)), ws.Blobs.Read(image.Sha256));
            written++;
        }
        if (session is not null)
            session.Record(AuditAction.Export,
                new { kind = "tag-export", selector = selector.Text, images = written, leftOut = report!.ViolatingImages, output = outDir },
                [.. images.Select(i => GovernanceSession.Image(i.Id))]);
        return new TagExportResult(written, withImages ? written : 0, report);
    }

    // The catalog stores the format as ImageFormat's name in lower case ("jpeg", "tiff", "netpbm").
    private static string Extension(string format) =>
        Enum.TryParse<Atelier.Imaging.ImageFormat>(format, ignoreCase: true, out var known) ? Atelier.Imaging.ImageFormats.Extension(known) : format;

    private static string? SafeStem(string? fileName)
    {
        if (string.IsNullOrWhiteSpace(fileName)) return null;
        var stem = Path.GetFileNameWithoutExtension(fileName.Replace('\\', '/').Split('/')[^1]);
        var clean = new string(stem.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_').ToArray()).Trim('.');
        return clean.Length == 0 ? null : clean;
    }
}
