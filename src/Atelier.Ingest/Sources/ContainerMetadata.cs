using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Sources;

/// <summary>
/// Reads manifests once and sidecars per item for a folder or archive. Fails closed: an item whose sidecar, manifest
/// row or mapped fields cannot be read is rejected (<c>unreadable-metadata</c>), and a manifest that cannot be read
/// at all stops the source before it yields anything.
/// </summary>
internal sealed class ContainerMetadata
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ContainerLayout _layout;
    private readonly SourceOptions _options;
    private readonly string _originPrefix;
    private readonly Func<string, byte[]> _read;
    private readonly ManifestIndex _manifest = new();

    /// <param name="read">Reads a small file by relative path; throws <see cref="IngestFileException"/> or IO errors.</param>
    /// <exception cref="SourceException">A manifest cannot be read at all (code <c>bad-manifest</c>).</exception>
    public ContainerMetadata(ContainerLayout layout, SourceOptions options, string originPrefix, Func<string, byte[]> read)
    {
        _layout = layout;
        _options = options;
        _originPrefix = originPrefix;
        _read = read;
        foreach (var path in layout.Manifests)
        {
            var origin = originPrefix + path;
            byte[] content;
            try
            {
                content = read(path);
            }
            catch (Exception e) when (IsReadError(e))
            {
                throw ManifestIndex.Unreadable(origin, ManifestIndex.OneLine(e.Message));
            }
            _manifest.Add(origin, path, content, options.Mapping);
        }
        ManifestRejections.AddRange(_manifest.Rejections);
        if (layout.Manifests.Count > 0) options.Manifests.Add(_manifest);
        if (options.ExternalManifest is { } external) options.Manifests.Add(external);
    }

    /// <summary>Manifest rows that could not be read; each is stored as a rejection of its own.</summary>
    public List<IngestRejection> ManifestRejections { get; } = [];

    /// <summary>The item's metadata, or null when it has none.</summary>
    /// <exception cref="IngestFileException">Code <c>unreadable-metadata</c>: some of it cannot be read.</exception>
    public ItemMetadata? For(string path)
    {
        bool underManifest = _layout.Manifests.Count > 0 && path.StartsWith(_layout.ManifestBase, StringComparison.Ordinal);
        // The manifest the user pointed at wins; its rows are keyed relative to the source's root, else by unique bare file name.
        var external = _options.ExternalManifest;
        var row = external is { Count: > 0 } ? external.Match(path) : null;
        if (row is null && external is { Rejections.Count: > 0 }) throw HasNoRow(external.Rejections, Relative);
        row ??= underManifest && _manifest.Count > 0 ? _manifest.Match(path[_layout.ManifestBase.Length..]) : null;
        if (row is null && underManifest && _manifest.Rejections.Count > 0) throw HasNoRow(_manifest.Rejections, Relative);
        var (txtPath, jsonPath) = _layout.SidecarsOf(path);
        string? txt = null;
        JsonObject? json = null;
        if (txtPath is not null)
        {
            try { txt = StrictUtf8.GetString(_read(txtPath)).Trim(); }
            catch (Exception e) when (IsReadError(e) || e is DecoderFallbackException)
            {
                throw Unreadable($"sidecar {txtPath} cannot be read: {ManifestIndex.OneLine(e.Message)}");
            }
        }
        if (jsonPath is not null)
        {
            try { json = MetadataComposer.ParseObject(_read(jsonPath)); }
            catch (JsonException e)
            {
                throw Unreadable($"sidecar {jsonPath} cannot be read: line {e.LineNumber + 1}: {ManifestIndex.JsonMessage(e)}");
            }
            catch (Exception e) when (IsReadError(e) || e is FormatException)
            {
                throw Unreadable($"sidecar {jsonPath} cannot be read: {ManifestIndex.OneLine(e.Message)}");
            }
        }
        try
        {
            return MetadataComposer.Compose(_options.Mapping, row, json, txt);
        }
        catch (FormatException e)
        {
            throw Unreadable(ManifestIndex.OneLine(e.Message));
        }
    }

    /// <summary>One of the unreadable rows may be this file's: its tags, rating or licence are unknown.</summary>
    private static IngestFileException HasNoRow(IReadOnlyList<IngestRejection> badRows, Func<string, string> relative)
    {
        var first = badRows[0];
        return Unreadable($"it has no row in the manifest, which has {badRows.Count} row(s) that cannot be read " +
            $"(first: {relative(first.Origin)}: {first.Message})");
    }

    private static bool IsReadError(Exception e) =>
        e is IOException or UnauthorizedAccessException or IngestFileException or InvalidDataException;

    private static IngestFileException Unreadable(string why) => new(RejectionCodes.UnreadableMetadata, why);

    private string Relative(string origin) => origin.StartsWith(_originPrefix, StringComparison.Ordinal) ? origin[_originPrefix.Length..] : origin;

    /// <summary>
    /// The item for one candidate file, or the rejection its metadata or reading raised. <paramref name="reject"/>
    /// turns the source's own read failures into a rejection (null: not a read failure, let it propagate).
    /// </summary>
    internal IngestOutcome Outcome(string relative, string origin, Func<byte[]> read, Func<Exception, IngestRejection?> reject)
    {
        try
        {
            var metadata = For(relative);
            return new IngestItem(origin, Path.GetFileName(relative), read(), metadata);
        }
        catch (IngestFileException e)
        {
            return new IngestRejection(origin, e.Code, e.Message);
        }
        catch (Exception e) when (reject(e) is { } rejection)
        {
            return rejection;
        }
    }
}

internal sealed class IngestFileException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;

}
