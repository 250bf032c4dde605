using Atelier.TestSupport;
using Atelier.Ingest.Metadata;
using Atelier.Ingest.Sources;

namespace Atelier.Ingest.Tests;

public sealed class ResolverAndMappingTests
{
    [Fact]
    public void Resolver_picks_by_argument_and_explains_failures()
    {
        using var dir = new TempDir();
        Assert.IsType<FolderSource>(SourceResolver.Open(dir.Path));
        Assert.IsType<ZipSource>(SourceResolver.Open(dir.Write("a.zip", [])));
        Assert.IsType<TarSource>(SourceResolver.Open(dir.Write("a.TGZ", [])));
        Assert.IsType<TarSource>(SourceResolver.Open(dir.Write("a.tar.gz", [])));
        Assert.IsType<UrlListSource>(SourceResolver.Open(dir.Write("a.jsonl", "")));
        Assert.IsType<UrlListSource>(SourceResolver.Open("https://example.org/a.png"));

        var missing = Assert.Throws<SourceException>(() => SourceResolver.Open(Path.Combine(dir.Path, "nope")));
        Assert.Equal("source-not-found", missing.Code);
        Assert.Equal("unsupported-source", Assert.Throws<SourceException>(() => SourceResolver.Open(dir.Write("a.rar", []))).Code);
        Assert.Equal("unsupported-source", Assert.Throws<SourceException>(() => SourceResolver.Open("ftp://example.org/a.png")).Code);
        var csv = Assert.Throws<SourceException>(() => SourceResolver.Open(dir.Write("b.csv", "link,caption\nx,y\n")));
        Assert.Equal("bad-url-list", csv.Code);
        Assert.DoesNotContain('\n', csv.Message);
    }

    [Fact]
    public void Mapping_parses_the_cli_syntax()
    {
        var m = MetadataMapping.Parse([
            "tags:short_names=general", "tags:category=Category", "tags:mood",
            "rating=rating", "license=license", "source_url=url", "captured=date", "file=image"]);
        Assert.Equal([new TagFieldMapping("short_names", "general"), new TagFieldMapping("category", "category"), new TagFieldMapping("mood", "general")], m.TagFields);
        Assert.Equal(("rating", "license", "url", "date", "image"), (m.RatingField, m.LicenseField, m.SourceUrlField, m.CapturedField, m.FileField));
        Assert.Same(MetadataMapping.Default, MetadataMapping.Parse([]));
    }

    [Theory]
    [InlineData("rating")]
    [InlineData("colour=hue")]
    [InlineData("tags:=general")]
    public void Mapping_rejects_bad_rules(string rule)
    {
        var e = Assert.Throws<SourceException>(() => MetadataMapping.Parse([rule]));
        Assert.Equal("bad-mapping", e.Code);
        Assert.Contains(rule, e.Message);
    }

    [Fact]
    public void Mapping_rejects_a_target_given_twice() =>
        Assert.Throws<SourceException>(() => MetadataMapping.Parse(["rating=a", "rating=b"]));

    [Theory]
    [InlineData("  Long Hair ", "long_hair")]
    [InlineData("long_hair", "long_hair")]
    [InlineData("Smileys & Emotion", "smileys_&_emotion")]
    [InlineData("\\(cosplay\\)", "(cosplay)")]
    [InlineData("a  \t b", "a_b")]
    [InlineData("   ", null)]
    public void Tags_are_normalised_booru_style(string input, string? expected) =>
        Assert.Equal(expected, TagText.Normalize(input));

    [Fact]
    public void Capture_dates_accept_iso_exif_and_unix_seconds()
    {
        var raw = System.Text.Json.Nodes.JsonNode.Parse("""{"a":"2020-01-02T03:04:05+02:00","b":"2020:01:02 03:04:05","c":1577934245,"d":"yesterday"}""")!.AsObject();
        Assert.Equal(new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)), MetadataComposer.ParseDate(raw, "a"));
        Assert.Equal(new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero), MetadataComposer.ParseDate(raw, "b"));
        Assert.Equal(new DateTimeOffset(2020, 1, 2, 3, 4, 5, TimeSpan.Zero), MetadataComposer.ParseDate(raw, "c"));
        Assert.Null(MetadataComposer.ParseDate(raw, "d"));
    }
}
