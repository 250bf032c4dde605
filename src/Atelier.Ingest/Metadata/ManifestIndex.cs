using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Atelier.Ingest.Metadata;

/// <summary>
/// Manifest rows keyed by file: <c>metadata.jsonl</c> (one object a line), <c>metadata.csv</c> (header row),
/// or a JSON array of objects (e.g. <c>emoji.json</c>). A row is found by its path relative to the manifest's
/// folder, or else by bare file name when that name is unique in the manifest. Nested variant objects that
/// name a file of their own are rows too (see <see cref="AddVariants"/>).
/// </summary>
public sealed class ManifestIndex
{
    private readonly Dictionary<string, JsonObject> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject?> _byName = new(StringComparer.Ordinal);
    private readonly List<IngestRejection> _rejections = [];
    // Which manifest file each row came from, and which rows files matched: what the summary reports per manifest.
    private readonly Dictionary<JsonObject, string> _rowManifest = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<JsonObject> _matchedRows = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _matchedFiles = new(StringComparer.Ordinal);
    private readonly List<string> _manifests = [];

    /// <summary>
    /// Rows that could not be read, so the file each one meant is unknown (code <c>bad-manifest</c>). While there are any,
    /// files without a row cannot be told apart from those rows' files: the folder and archive sources refuse them.
    /// </summary>
    public IReadOnlyList<IngestRejection> Rejections => _rejections;

    public int Count => _byPath.Count;

    /// <summary>Field a variant row gets with the key it had in its parent (e.g. <c>1F3FB</c>); see <see cref="AddVariants"/>.</summary>
    public const string VariantKeyField = "variant_key";

    public static bool IsManifestName(string fileName, string? userManifest) =>
        fileName.Equals("metadata.jsonl", StringComparison.OrdinalIgnoreCase)
        || fileName.Equals("metadata.csv", StringComparison.OrdinalIgnoreCase)
        || (userManifest is not null && fileName.Equals(userManifest, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Adds one manifest file's rows. A row that cannot be read becomes one of <see cref="Rejections"/>; a manifest that
    /// cannot be read at all throws <see cref="SourceException"/> (code <c>bad-manifest</c>) naming the file and line,
    /// because ingesting its files without their metadata would let them in unchecked.
    /// </summary>
    public void Add(string origin, string fileName, byte[] content, MetadataMapping mapping)
    {
        _manifests.Add(origin);
        try
        {
            var ext = Path.GetExtension(fileName).ToLowerInvariant();
            switch (ext)
            {
                case ".jsonl": AddJsonLines(origin, content, mapping); break;
                case ".csv": AddCsv(origin, content, mapping); break;
                case ".json": AddJsonArray(origin, content, mapping); break;
                default: throw new FormatException($"unknown manifest format '{ext}' (use .jsonl, .csv or .json)");
            }
        }
        catch (JsonException e)
        {
            throw Unreadable(origin, $"line {e.LineNumber + 1}: {JsonMessage(e)}");
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw Unreadable(origin, OneLine(e.Message));
        }
    }

    /// <summary>The one-line error for a manifest that cannot be read at all.</summary>
    internal static SourceException Unreadable(string origin, string why) =>
        new(RejectionCodes.BadManifest, $"manifest {origin} cannot be read ({why.TrimEnd('.')}); fix it and run the ingest again");

    /// <summary>A JSON error's message without the position suffix (the caller says the line, 1-based).</summary>
    internal static string JsonMessage(JsonException e)
    {
        var message = OneLine(e.Message);
        foreach (var suffix in new[] { " Path: ", " LineNumber: " })
        {
            int at = message.IndexOf(suffix, StringComparison.Ordinal);
            if (at > 0) message = message[..at];
        }
        return message.TrimEnd();
    }

    /// <summary><see cref="Find"/>, counting the match for <see cref="Usage"/>: call it once per file ingested.</summary>
    public JsonObject? Match(string relativePath)
    {
        var row = Find(relativePath);
        if (row is null) return null;
        _matchedRows.Add(row);
        var manifest = _rowManifest[row];
        _matchedFiles[manifest] = _matchedFiles.GetValueOrDefault(manifest) + 1;
        return row;
    }

    /// <summary>Per manifest file: its rows, how many files matched one, and how many rows no file matched.</summary>
    public IReadOnlyList<ManifestUsage> Usage() => _manifests.Select(m =>
    {
        var rows = _rowManifest.Where(kv => kv.Value == m).Select(kv => kv.Key).ToList();
        return new ManifestUsage(m, rows.Count, _matchedFiles.GetValueOrDefault(m), rows.Count(r => !_matchedRows.Contains(r)),
            _rejections.Count(r => r.Origin.StartsWith(m + "#", StringComparison.Ordinal)));
    }).ToList();

    /// <summary>Finds the row for <paramref name="relativePath"/> ('/'-separated, relative to the manifest's folder).</summary>
    public JsonObject? Find(string relativePath)
    {
        if (_byPath.TryGetValue(relativePath, out var row)) return row;
        var name = relativePath[(relativePath.LastIndexOf('/') + 1)..];
        return _byName.TryGetValue(name, out var byName) ? byName : null;
    }

    private void AddJsonLines(string origin, byte[] content, MetadataMapping mapping)
    {
        using var reader = new StreamReader(new MemoryStream(content), Encoding.UTF8);
        int lineNo = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                if (JsonNode.Parse(line) is not JsonObject row) throw new FormatException("expected a JSON object");
                AddRow($"{origin}#{lineNo}", row, mapping, origin);
            }
            catch (JsonException e)
            {
                Reject($"{origin}#{lineNo}", JsonMessage(e));
            }
            catch (FormatException e)
            {
                Reject($"{origin}#{lineNo}", OneLine(e.Message));
            }
        }
    }

    private void AddCsv(string origin, byte[] content, MetadataMapping mapping)
    {
        using var text = new StreamReader(new MemoryStream(content), Encoding.UTF8);
        using var csv = new CsvReader(text);
        var header = csv.ReadRecord() ?? throw new FormatException("empty CSV manifest");
        while (csv.ReadRecord() is { } record)
        {
            var row = new JsonObject();
            for (int i = 0; i < header.Count && i < record.Count; i++) row[header[i].Trim()] = record[i];
            AddRow($"{origin}#{csv.RecordLine}", row, mapping, origin);
        }
    }

    private void AddJsonArray(string origin, byte[] content, MetadataMapping mapping)
    {
        if (JsonNode.Parse(content) is not JsonArray array) throw new FormatException("line 1: expected a JSON array of objects");
        for (int i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonObject row) AddRow($"{origin}#{i}", (JsonObject)row.DeepClone(), mapping, origin);
            else Reject($"{origin}#{i}", "expected a JSON object");
        }
    }

    private void AddRow(string rowOrigin, JsonObject row, MetadataMapping mapping, string manifest)
    {
        var fields = mapping.FileField is { } f ? [f] : MetadataMapping.DefaultFileFields;
        if (KeyOf(row, fields) is not { } key)
        {
            Reject(rowOrigin, $"row has no file field ({string.Join(", ", fields)})");
            return;
        }
        Index(key, row, manifest);
        AddVariants(row, fields, manifest);
    }

    /// <summary>
    /// Variant objects nested one level down (emoji.json's <c>skin_variations</c>: code → object with its own
    /// <c>image</c>) are rows of their own: the parent's fields, overridden by the variant's, plus
    /// <see cref="VariantKeyField"/>. So a variant file gets its base's tags and category.
    /// </summary>
    private void AddVariants(JsonObject parent, IReadOnlyList<string> fields, string manifest)
    {
        foreach (var (container, node) in parent)
        {
            if (node is not JsonObject variants) continue;
            foreach (var (variantKey, value) in variants)
            {
                if (value is not JsonObject variant || KeyOf(variant, fields) is not { } key) continue;
                var row = new JsonObject();
                foreach (var (name, field) in parent)
                    if (name != container) row[name] = field?.DeepClone();
                foreach (var (name, field) in variant) row[name] = field?.DeepClone();
                row[VariantKeyField] = variantKey;
                Index(key, row, manifest);
            }
        }
    }

    /// <summary>The row's file path ('/'-separated, no leading <c>./</c> or <c>/</c>), or null when it names none.</summary>
    private static string? KeyOf(JsonObject row, IReadOnlyList<string> fields)
    {
        foreach (var field in fields)
        {
            if (row.TryGetPropertyValue(field, out var node) && node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                var key = v.GetValue<string>().Replace('\\', '/');
                while (key.StartsWith("./", StringComparison.Ordinal)) key = key[2..];
                key = key.TrimStart('/');
                return key.Length == 0 ? null : key;
            }
        }
        return null;
    }

    private void Index(string key, JsonObject row, string manifest)
    {
        _rowManifest[row] = manifest;
        _byPath[key] = row;
        var name = key[(key.LastIndexOf('/') + 1)..];
        // A bare name shared by two rows is ambiguous: only the full relative path finds those.
        if (!_byName.TryAdd(name, row) && !ReferenceEquals(_byName[name], row)) _byName[name] = null;
    }

    private void Reject(string origin, string message) =>
        _rejections.Add(new IngestRejection(origin, RejectionCodes.BadManifest, message));

    internal static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();
}

/// <summary>How one manifest file was used by an ingest: rows it has, files that matched one, rows no file matched, rows that could not be read.</summary>
public sealed record ManifestUsage(string Manifest, int Rows, int MatchedFiles, int UnmatchedRows, int BadRows);

/// <summary>Collects the manifests every source of one ingest read, for the summary (sources run one after another).</summary>
public sealed class ManifestTally
{
    private readonly List<ManifestIndex> _indexes = [];
    private readonly Lock _lock = new();

    public void Add(ManifestIndex index)
    {
        lock (_lock) if (!_indexes.Contains(index)) _indexes.Add(index);
    }

    public IReadOnlyList<ManifestUsage> Usage()
    {
        lock (_lock) return _indexes.SelectMany(i => i.Usage()).ToList();
    }
}
