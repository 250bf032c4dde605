using Atelier.Ingest.Metadata;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests;

public sealed class ManifestVariantTests
{
    // Shaped like emoji-datasource's emoji.json: variants nest under skin_variations with their own image.
    private const string EmojiJson = """
        [
          {"name":"WAVING HAND SIGN","unified":"1F44B","image":"1f44b.png","short_names":["wave"],
           "category":"People & Body","subcategory":"hand-fingers-open",
           "skin_variations":{
             "1F3FB":{"unified":"1F44B-1F3FB","image":"1f44b-1f3fb.png","added_in":"1.0"},
             "1F3FF":{"unified":"1F44B-1F3FF","image":"1f44b-1f3ff.png","added_in":"1.0"}}},
          {"name":"HANDSHAKE","unified":"1F91D","image":"1f91d.png","short_names":["handshake"],
           "category":"People & Body","subcategory":"hands",
           "skin_variations":{"1F3FB-1F3FD":{"unified":"1F91D-1F3FB-1F3FD","image":"1f91d-1f3fb-1f3fd.png"}}},
          {"name":"GRINNING FACE","unified":"1F600","image":"1f600.png","short_names":["grinning"],
           "category":"Smileys & Emotion","extra":{"note":{"text":"an object without a file field is not a variant"}}}
        ]
        """;

    private static readonly SourceOptions Options = new()
    {
        ManifestFileName = "emoji.json",
        Mapping = MetadataMapping.Parse(["file=image", "tags:short_names=general", "tags:category=category"]),
    };

    [Fact]
    public async Task Skin_tone_variants_inherit_their_base_emoji_tags_and_get_their_skin_tone_tag()
    {
        using var dir = new TempDir();
        dir.Write("emoji.json", EmojiJson);
        string[] files = ["1f44b.png", "1f44b-1f3fb.png", "1f44b-1f3ff.png", "1f91d.png", "1f91d-1f3fb-1f3fd.png", "1f600.png"];
        for (int i = 0; i < files.Length; i++) dir.Write("img/" + files[i], SyntheticImages.Png(8, 8, i));

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path, Options));
        Assert.Empty(outcomes.Rejections());
        var byName = outcomes.Items().ToDictionary(i => i.FileName, i => i.Metadata);
        Assert.All(files, f => Assert.NotNull(byName[f]));

        Assert.Equal([new ItemTag("wave", "general"), new ItemTag("people_&_body", "category")], byName["1f44b.png"]!.Tags);
        Assert.Equal([new ItemTag("wave", "general"), new ItemTag("people_&_body", "category"), new ItemTag("skin-tone-2", "general")],
            byName["1f44b-1f3fb.png"]!.Tags);
        Assert.Contains(new ItemTag("skin-tone-6", "general"), byName["1f44b-1f3ff.png"]!.Tags);
        Assert.Equal([new ItemTag("handshake", "general"), new ItemTag("people_&_body", "category"),
            new ItemTag("skin-tone-2", "general"), new ItemTag("skin-tone-4", "general")], byName["1f91d-1f3fb-1f3fd.png"]!.Tags);

        // The variant's own fields win over the parent's; its raw record says which variant it is and drops the sibling list.
        var raw = System.Text.Json.Nodes.JsonNode.Parse(byName["1f44b-1f3fb.png"]!.Raw)!.AsObject();
        Assert.Equal("1F44B-1F3FB", (string?)raw["unified"]);
        Assert.Equal("1F3FB", (string?)raw[ManifestIndex.VariantKeyField]);
        Assert.False(raw.ContainsKey("skin_variations"));
        Assert.Equal("hand-fingers-open", (string?)raw["subcategory"]);

        Assert.DoesNotContain(byName["1f600.png"]!.Tags, t => t.Name.StartsWith("skin-tone", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1F3FB", new[] { "skin-tone-2" })]
    [InlineData("1f3fe", new[] { "skin-tone-5" })]
    [InlineData("1F3FC-1F3FC", new[] { "skin-tone-3" })]
    [InlineData("1F3FB-1F3FF", new[] { "skin-tone-2", "skin-tone-6" })]
    [InlineData("1F3FA", new string[0])]
    [InlineData("1F3FB-200D", new string[0])]
    [InlineData("red", new string[0])]
    [InlineData("", new string[0])]
    public void Skin_tone_tags_come_only_from_modifier_codes(string key, string[] expected) =>
        Assert.Equal(expected, SkinTone.TagsOf(key));
}
