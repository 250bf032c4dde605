using Atelier.Catalog;

namespace Atelier.Cli;

/// <summary>Writes <c>NAME.txt</c> tag sidecars (and optionally the originals) for kohya-style trainers.</summary>
internal static class SidecarExport
{
    public static int Write(Workspace ws, Selector selector, string outDir, bool withImages)
    {
        Directory.CreateDirectory(outDir);
        var tags = ws.Catalog.TagsOf(selector);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var written = 0;
        foreach (var image in ws.Catalog.ListImages(selector))
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
        return written;
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
