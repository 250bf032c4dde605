using System.Text;
using System.Text.Json;

namespace Atelier.Datasets.Tests;

public class SnapshotManifestTests
{
    [Fact]
    public void Canonical_json_is_independent_of_input_order()
    {
        var items = Fakes.DefaultItems();
        var a = Fakes.Manifest(items: items);
        var b = Fakes.Manifest(items: items.Reverse());
        // Tags given in a different order and with a duplicate still serialise the same.
        var shuffledTags = items.Select(i => new SnapshotItem(i.ImageId, i.Sha256.ToUpperInvariant(), i.Width, i.Height, i.Rating,
            i.Tags.Reverse().Concat(i.Tags.Take(1))));
        var c = new SnapshotManifest(a.Name, a.CreatedAt, a.Filter, shuffledTags, a.Metadata.Reverse());

        Assert.Equal(a.ToCanonicalJson(), b.ToCanonicalJson());
        Assert.Equal(a.ToCanonicalJson(), c.ToCanonicalJson());
    }

    [Fact]
    public void Canonical_json_has_fixed_property_order_and_sorted_items()
    {
        var m = Fakes.Manifest();
        using var doc = JsonDocument.Parse(m.ToCanonicalJson());
        Assert.Equal(["format", "name", "createdAt", "filter", "rootHash", "metadata", "items"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
        var item = doc.RootElement.GetProperty("items")[0];
        Assert.Equal(["imageId", "sha256", "width", "height", "rating", "tags"], item.EnumerateObject().Select(p => p.Name));
        var shas = doc.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("sha256").GetString()!).ToList();
        Assert.Equal(shas.Order(StringComparer.Ordinal), shas);
        Assert.Equal(["catalog", "tool"], doc.RootElement.GetProperty("metadata").EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-11-24T12:00:00.0000000Z", doc.RootElement.GetProperty("createdAt").GetString());
        // Compact: no insignificant whitespace.
        Assert.DoesNotContain("\n", Encoding.UTF8.GetString(m.ToCanonicalJson()));
    }

    [Fact]
    public void Round_trip_gives_identical_bytes_and_values()
    {
        var m = Fakes.Manifest(at: new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(2)).AddTicks(9));
        byte[] json = m.ToCanonicalJson();
        var back = SnapshotManifest.Parse(json);

        Assert.Equal(json, back.ToCanonicalJson());
        Assert.Equal(m.RootHash, back.RootHash);
        Assert.Equal(m.CreatedAt, back.CreatedAt);
        Assert.Equal(TimeSpan.Zero, back.CreatedAt.Offset);
        Assert.Equal(m.Items.Select(i => (i.ImageId, i.Sha256, i.Width, i.Height, i.Rating)),
            back.Items.Select(i => (i.ImageId, i.Sha256, i.Width, i.Height, i.Rating)));
        Assert.Equal(m.Items.SelectMany(i => i.Tags), back.Items.SelectMany(i => i.Tags));
        Assert.Equal("atelier 0.1.0", back.Metadata["tool"]);
        Assert.Null(back.Items.Single(i => i.ImageId == 3).Rating);
    }

    [Fact]
    public void Root_hash_ignores_name_time_filter_metadata_and_image_ids()
    {
        var a = Fakes.Manifest();
        var renumbered = Fakes.DefaultItems().Select(i => new SnapshotItem(i.ImageId + 1000, i.Sha256, i.Width, i.Height, i.Rating, i.Tags));
        var b = new SnapshotManifest("other-name", DateTimeOffset.UnixEpoch, "different filter", renumbered, [new("tool", "9.9")]);

        Assert.Equal(a.RootHash, b.RootHash);
        Assert.NotEqual(a.ToCanonicalJson(), b.ToCanonicalJson());
        Assert.Matches("^[0-9a-f]{64}$", a.RootHash);
    }

    public static TheoryData<string> ContentChanges => ["tag-added", "tag-removed", "tag-category", "rating", "rating-null", "item-removed", "item-added", "size"];

    [Theory]
    [MemberData(nameof(ContentChanges))]
    public void Root_hash_changes_when_content_changes(string change)
    {
        var items = Fakes.DefaultItems().ToList();
        var first = items[0];
        SnapshotItem With(string? rating = "keep", IEnumerable<SnapshotTag>? tags = null, int? width = null) =>
            new(first.ImageId, first.Sha256, width ?? first.Width, first.Height, rating == "keep" ? first.Rating : rating, tags ?? first.Tags);

        switch (change)
        {
            case "tag-added": items[0] = With(tags: first.Tags.Add(new SnapshotTag("hat", "general"))); break;
            case "tag-removed": items[0] = With(tags: first.Tags.RemoveAt(0)); break;
            case "tag-category": items[0] = With(tags: first.Tags.Select(t => t.Name == "alice" ? new SnapshotTag("alice", "copyright") : t)); break;
            case "rating": items[0] = With(rating: "questionable"); break;
            case "rating-null": items[0] = With(rating: null); break;
            case "item-removed": items.RemoveAt(1); break;
            case "item-added": items.Add(Fakes.Item(99)); break;
            case "size": items[0] = With(width: first.Width + 1); break;
        }

        var original = Fakes.Manifest();
        var changed = Fakes.Manifest(items: items);
        Assert.NotEqual(original.RootHash, changed.RootHash);
        Assert.False(changed.HasRoot(original.RootHash));
        var ex = Assert.Throws<DatasetException>(() => SnapshotManifest.Verify(changed, original.RootHash));
        Assert.Equal(DatasetErrorCode.RootMismatch, ex.Code);
    }

    [Fact]
    public void Verify_accepts_the_matching_root_in_any_case()
    {
        var m = Fakes.Manifest();
        SnapshotManifest.Verify(m, m.RootHash.ToUpperInvariant());
        Assert.True(m.HasRoot(m.RootHash));
    }

    [Fact]
    public void Leaf_hashes_identify_changed_items()
    {
        var items = Fakes.DefaultItems().ToList();
        var changed = new SnapshotItem(items[1].ImageId, items[1].Sha256, items[1].Width, items[1].Height, "questionable", items[1].Tags);
        Assert.Equal(SnapshotManifest.ItemHash(items[0]), SnapshotManifest.ItemHash(Fakes.DefaultItems()[0]));
        Assert.NotEqual(SnapshotManifest.ItemHash(items[1]), SnapshotManifest.ItemHash(changed));
    }

    [Fact]
    public void Empty_snapshot_has_a_stable_root()
    {
        var a = Fakes.Manifest(items: []);
        var b = Fakes.Manifest("x", DateTimeOffset.UnixEpoch, []);
        Assert.Equal(a.RootHash, b.RootHash);
        Assert.NotEqual(a.RootHash, Fakes.Manifest().RootHash);
    }

    [Fact]
    public void Parse_rejects_a_tampered_manifest()
    {
        string json = Encoding.UTF8.GetString(Fakes.Manifest().ToCanonicalJson());
        string tampered = json.Replace("\"sensitive\"", "\"general\"");
        Assert.NotEqual(json, tampered);
        var ex = Assert.Throws<DatasetException>(() => SnapshotManifest.Parse(Encoding.UTF8.GetBytes(tampered)));
        Assert.Equal(DatasetErrorCode.RootMismatch, ex.Code);
    }

    [Theory]
    [InlineData("not json", DatasetErrorCode.MalformedManifest)]
    [InlineData("{}", DatasetErrorCode.MalformedManifest)]
    [InlineData("{\"format\":\"atelier.snapshot/9\"}", DatasetErrorCode.UnsupportedVersion)]
    [InlineData("{\"format\":\"atelier.snapshot/1\",\"name\":\"n\",\"createdAt\":\"yesterday\"}", DatasetErrorCode.MalformedManifest)]
    public void Parse_rejects_bad_input_with_a_reason(string text, DatasetErrorCode code)
    {
        var ex = Assert.Throws<DatasetException>(() => SnapshotManifest.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(code, ex.Code);
        Assert.StartsWith(code.ToString(), ex.Message);
    }

    [Fact]
    public void Duplicate_images_and_bad_hashes_are_rejected()
    {
        var dup = Assert.Throws<DatasetException>(() => Fakes.Manifest(items: [Fakes.Item(1), Fakes.Item(1)]));
        Assert.Equal(DatasetErrorCode.DuplicateItem, dup.Code);
        var bad = Assert.Throws<DatasetException>(() => new SnapshotItem(1, "abc", 1, 1, null, []));
        Assert.Equal(DatasetErrorCode.InvalidArgument, bad.Code);
    }
}
