using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Atelier.Datasets;

/// <summary>
/// An immutable, content-addressed description of a dataset: which images (by SHA-256), with which
/// tags and rating. Items are kept sorted by SHA-256 so the same content always serialises to the
/// same bytes.
/// </summary>
/// <remarks>
/// Root hash (format "atelier.snapshot/1") is a one-level Merkle tree:
/// <code>
/// leaf(item) = SHA-256("atelier.snapshot.item/1\0" || itemContentJson)
/// root       = SHA-256("atelier.snapshot.root/1\0" || uint64BE(count) || leaf(item_0) || ... || leaf(item_n-1))
/// </code>
/// itemContentJson is the compact UTF-8 JSON {"sha256","width","height","rating","tags":[[name,category],...]}
/// in that fixed order. Name, CreatedAt, Filter, Metadata and catalog ImageIds are deliberately
/// outside the hash: the root names the data itself, so two snapshots of the same content share it.
/// Per-item leaves let two snapshots be diffed item by item without re-reading pixels.
/// </remarks>
public sealed class SnapshotManifest
{
    public const string FormatId = "atelier.snapshot/1";
    private static readonly byte[] LeafDomain = Encoding.ASCII.GetBytes("atelier.snapshot.item/1\0");
    private static readonly byte[] RootDomain = Encoding.ASCII.GetBytes("atelier.snapshot.root/1\0");
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public SnapshotManifest(string name, DateTimeOffset createdAt, string filter,
        IEnumerable<SnapshotItem> items, IEnumerable<KeyValuePair<string, string>>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (string.IsNullOrWhiteSpace(name))
            throw new DatasetException(DatasetErrorCode.InvalidArgument, "snapshot name must not be empty");
        Name = name;
        // Stored at tick precision in UTC: that is exactly what the canonical form can carry.
        CreatedAt = new DateTimeOffset(createdAt.UtcTicks, TimeSpan.Zero);
        Filter = filter ?? string.Empty;

        var sorted = items.OrderBy(i => i.Sha256, StringComparer.Ordinal).ToImmutableArray();
        for (int i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Sha256 == sorted[i - 1].Sha256)
                throw new DatasetException(DatasetErrorCode.DuplicateItem,
                    $"image {sorted[i].Sha256} appears twice (ids {sorted[i - 1].ImageId} and {sorted[i].ImageId})");
        }
        Items = sorted;

        var meta = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? [])
        {
            if (!meta.TryAdd(key, value ?? string.Empty))
                throw new DatasetException(DatasetErrorCode.InvalidArgument, $"metadata key '{key}' given twice");
        }
        Metadata = meta.ToImmutable();
        RootHash = ComputeRoot(Items);
    }

    public string Name { get; }
    public DateTimeOffset CreatedAt { get; }
    public string Filter { get; }
    public ImmutableArray<SnapshotItem> Items { get; }
    public ImmutableSortedDictionary<string, string> Metadata { get; }

    /// <summary>Lower-case hex SHA-256 root over the items' content (see remarks on the type).</summary>
    public string RootHash { get; }

    /// <summary>Hex leaf hash of one item, as used in the root.</summary>
    public static string ItemHash(SnapshotItem item) => Convert.ToHexStringLower(LeafHash(item));

    /// <summary>Throws <see cref="DatasetErrorCode.RootMismatch"/> unless the manifest's content hashes to <paramref name="expectedRoot"/>.</summary>
    public static void Verify(SnapshotManifest manifest, string expectedRoot)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (!manifest.HasRoot(expectedRoot))
            throw new DatasetException(DatasetErrorCode.RootMismatch,
                $"snapshot '{manifest.Name}' hashes to {manifest.RootHash}, expected {expectedRoot}");
    }

    public bool HasRoot(string? expectedRoot) =>
        expectedRoot is not null && string.Equals(RootHash, expectedRoot.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>Deterministic compact UTF-8 JSON: fixed property order, items by SHA-256, tags sorted, metadata keys sorted.</summary>
    public byte[] ToCanonicalJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatId);
            w.WriteString("name", Name);
            w.WriteString("createdAt", CreatedAt.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture));
            w.WriteString("filter", Filter);
            w.WriteString("rootHash", RootHash);
            w.WriteStartObject("metadata");
            foreach (var (key, value) in Metadata) w.WriteString(key, value);
            w.WriteEndObject();
            w.WriteStartArray("items");
            foreach (var item in Items)
            {
                w.WriteStartObject();
                w.WriteNumber("imageId", item.ImageId);
                w.WriteString("sha256", item.Sha256);
                w.WriteNumber("width", item.Width);
                w.WriteNumber("height", item.Height);
                LabelJson.WriteRating(w, item.Rating);
                LabelJson.WriteTags(w, item.Tags);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Reads a manifest and checks its stored rootHash against its content.</summary>
    public static SnapshotManifest Parse(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException ex) { throw Malformed($"not valid JSON ({ex.Message})"); }

        using (doc)
        {
            try
            {
                var root = doc.RootElement;
                string format = RequiredString(root, "format");
                if (format != FormatId)
                    throw new DatasetException(DatasetErrorCode.UnsupportedVersion, $"manifest format '{format}' is not {FormatId}");
                string createdText = RequiredString(root, "createdAt");
                if (!DateTimeOffset.TryParseExact(createdText, TimeFormat, CultureInfo.InvariantCulture,
                        DateTimeStyles.AssumeUniversal, out var createdAt))
                    throw Malformed($"createdAt '{createdText}' is not {TimeFormat}");

                var metadata = new List<KeyValuePair<string, string>>();
                foreach (var prop in Required(root, "metadata", JsonValueKind.Object).EnumerateObject())
                    metadata.Add(new(prop.Name, prop.Value.GetString() ?? string.Empty));

                var items = new List<SnapshotItem>();
                foreach (var e in Required(root, "items", JsonValueKind.Array).EnumerateArray())
                {
                    var tags = Required(e, "tags", JsonValueKind.Array).EnumerateArray()
                        .Select(t => new SnapshotTag(RequiredString(t, "name"), RequiredString(t, "category")));
                    var rating = e.TryGetProperty("rating", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                    items.Add(new SnapshotItem(
                        Required(e, "imageId", JsonValueKind.Number).GetInt64(),
                        RequiredString(e, "sha256"),
                        Required(e, "width", JsonValueKind.Number).GetInt32(),
                        Required(e, "height", JsonValueKind.Number).GetInt32(),
                        rating, tags));
                }

                var manifest = new SnapshotManifest(RequiredString(root, "name"), createdAt,
                    RequiredString(root, "filter"), items, metadata);
                Verify(manifest, RequiredString(root, "rootHash"));
                return manifest;
            }
            catch (FormatException ex) { throw Malformed(ex.Message); }
            catch (InvalidOperationException ex) { throw Malformed(ex.Message); }
        }
    }

    private static string ComputeRoot(ImmutableArray<SnapshotItem> items)
    {
        using var root = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        root.AppendData(RootDomain);
        Span<byte> count = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(count, (ulong)items.Length);
        root.AppendData(count);
        foreach (var item in items) root.AppendData(LeafHash(item));
        return Convert.ToHexStringLower(root.GetHashAndReset());
    }

    private static byte[] LeafHash(SnapshotItem item)
    {
        using var buffer = new MemoryStream();
        buffer.Write(LeafDomain);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("sha256", item.Sha256);
            w.WriteNumber("width", item.Width);
            w.WriteNumber("height", item.Height);
            LabelJson.WriteRating(w, item.Rating);
            w.WriteStartArray("tags");
            foreach (var tag in item.Tags)
            {
                w.WriteStartArray();
                w.WriteStringValue(tag.Name);
                w.WriteStringValue(tag.Category);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static JsonElement Required(JsonElement obj, string name, JsonValueKind kind)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind != kind)
            throw Malformed($"missing or non-{kind.ToString().ToLowerInvariant()} property '{name}'");
        return value;
    }

    private static string RequiredString(JsonElement obj, string name) => Required(obj, name, JsonValueKind.String).GetString()!;

    private static DatasetException Malformed(string why) => new(DatasetErrorCode.MalformedManifest, $"snapshot manifest: {why}");
}
