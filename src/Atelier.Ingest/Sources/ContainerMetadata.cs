using System.Text;
using System.Text.Json;
using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Sources;

/// <summary>Reads manifests once and sidecars per item for a folder or archive, turning problems into rejections.</summary>
internal sealed class ContainerMetadata
{
    private readonly ContainerLayout _layout;
    private readonly SourceOptions _options;
    private readonly string _originPrefix;
    private readonly Func<string, byte[]> _read;
    private readonly ManifestIndex _manifest = new();

    /// <param name="read">Reads a small file by relative path; throws <see cref="IngestFileException"/> or IO errors.</param>
    public ContainerMetadata(ContainerLayout layout, SourceOptions options, string originPrefix, Func<string, byte[]> read)
    {
        _layout = layout;
        _options = options;
        _originPrefix = originPrefix;
        _read = read;
        foreach (var path in layout.Manifests)
        {
            var origin = originPrefix + path;
            try
            {
                _manifest.Add(origin, path, read(path), options.Mapping);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or IngestFileException or InvalidDataException)
            {
                ManifestRejections.Add(new IngestRejection(origin, RejectionCodes.BadManifest, ManifestIndex.OneLine(e.Message)));
            }
        }
        ManifestRejections.AddRange(_manifest.Rejections);
    }

    public List<IngestRejection> ManifestRejections { get; } = [];

    public ItemMetadata? For(string path, List<IngestRejection> rejections)
    {
        var row = path.StartsWith(_layout.ManifestBase, StringComparison.Ordinal) && _manifest.Count > 0
            ? _manifest.Find(path[_layout.ManifestBase.Length..])
            : null;
        var (txtPath, jsonPath) = _layout.SidecarsOf(path);
        string? txt = null;
        System.Text.Json.Nodes.JsonObject? json = null;
        if (txtPath is not null)
        {
            try { txt = Encoding.UTF8.GetString(_read(txtPath)).Trim(); }
            catch (Exception e) when (IsReadError(e)) { rejections.Add(Bad(txtPath, e)); }
        }
        if (jsonPath is not null)
        {
            try { json = MetadataComposer.ParseObject(_read(jsonPath)); }
            catch (Exception e) when (IsReadError(e) || e is JsonException or FormatException) { rejections.Add(Bad(jsonPath, e)); }
        }
        return MetadataComposer.Compose(_options.Mapping, row, json, txt);
    }

    private static bool IsReadError(Exception e) =>
        e is IOException or UnauthorizedAccessException or IngestFileException or InvalidDataException;

    private IngestRejection Bad(string path, Exception e) =>
        new(_originPrefix + path, RejectionCodes.BadSidecar, ManifestIndex.OneLine(e.Message));

    /// <summary>
    /// The item for one candidate file, or the rejection its reading raised, preceded by any sidecar
    /// rejections. <paramref name="reject"/> turns the source's own read failures into a rejection
    /// (null: not a read failure, let it propagate).
    /// </summary>
    internal IReadOnlyList<IngestOutcome> Outcomes(string relative, string origin, Func<byte[]> read, Func<Exception, IngestRejection?> reject)
    {
        var sidecarRejections = new List<IngestRejection>();
        IngestOutcome outcome;
        try
        {
            outcome = new IngestItem(origin, Path.GetFileName(relative), read(), For(relative, sidecarRejections));
        }
        catch (IngestFileException e)
        {
            outcome = new IngestRejection(origin, e.Code, e.Message);
        }
        catch (Exception e) when (reject(e) is { } rejection)
        {
            outcome = rejection;
        }
        return [.. sidecarRejections, outcome];
    }
}

internal sealed class IngestFileException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

}
