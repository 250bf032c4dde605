using Atelier.Ingest.Metadata;
using Atelier.Ingest.Pipeline;
using Atelier.Ingest.Sources;
using Atelier.Imaging;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests;

/// <summary>Metadata that cannot be read keeps its image out (fail closed) instead of letting it in unchecked.</summary>
public sealed class UnreadableMetadataTests
{
    [Fact]
    public async Task Txt_sidecar_that_is_not_utf8_rejects_its_image_only()
    {
        using var dir = new TempDir();
        dir.Write("a.png", Repo.Png());
        dir.Write("a.txt", [0x63, 0x61, 0x74, 0xC3, 0x28]); // "cat" then a broken two-byte sequence
        dir.Write("b.png", Repo.Png("1f605.png"));
        dir.Write("b.txt", "dog");

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path));

        var r = Assert.Single(outcomes.Rejections());
        Assert.Equal(RejectionCodes.UnreadableMetadata, r.Code);
        Assert.Equal($"folder:{dir.Path}/a.png", r.Origin);
        Assert.StartsWith("sidecar a.txt cannot be read:", r.Message);
        Assert.Equal([new ItemTag("dog", "general")], Assert.Single(outcomes.Items()).Metadata!.Tags);
    }

    [Fact]
    public async Task An_unreadable_manifest_row_keeps_out_the_files_it_may_have_described()
    {
        using var dir = new TempDir();
        dir.Write("known.png", Repo.Png());
        dir.Write("orphan.png", Repo.Png("1f605.png"));
        dir.Write("metadata.jsonl", "{\"file_name\":\"known.png\",\"tags\":\"sky\"}\n{\"file_name\":\"orphan.png\",\"rating\":\"explicit\"\n");

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path));

        var rejections = outcomes.Rejections();
        Assert.Equal(2, rejections.Count);
        Assert.Equal(RejectionCodes.BadManifest, rejections[0].Code);
        Assert.EndsWith("metadata.jsonl#2", rejections[0].Origin);
        Assert.Equal(RejectionCodes.UnreadableMetadata, rejections[1].Code);
        Assert.EndsWith("/orphan.png", rejections[1].Origin);
        Assert.Contains("no row in the manifest", rejections[1].Message);
        Assert.Contains("metadata.jsonl#2", rejections[1].Message);
        Assert.Equal("known.png", Assert.Single(outcomes.Items()).FileName);
    }

    [Theory]
    [InlineData("""{"file_name":"a.png","rating":{"value":"explicit"}}""", "'rating' holds a JSON object")]
    [InlineData("""{"file_name":"a.png","tags":["ok",{"name":"x"}]}""", "'tags' holds a JSON object")]
    [InlineData("""{"file_name":"a.png","license":["MIT","GPL-3.0-only"]}""", "'license' holds a JSON array")]
    [InlineData("""{"file_name":"a.png","captured_at":"last tuesday"}""", "'captured_at' ('last tuesday') is not a date")]
    [InlineData("""{"file_name":"a.png","rating":"nsfw"}""", "'rating' ('nsfw') is not a rating (general, sensitive, questionable, explicit, or booru's g, s, q, e, safe)")]
    [InlineData("""{"file_name":"a.png","rating":"rating:x"}""", "'rating' ('rating:x') is not a rating")]
    public async Task A_mapped_field_that_cannot_mean_what_it_is_mapped_to_rejects_the_image(string row, string reason)
    {
        using var dir = new TempDir();
        dir.Write("a.png", Repo.Png());
        dir.Write("b.png", Repo.Png("1f605.png"));
        dir.Write("metadata.jsonl", row + "\n{\"file_name\":\"b.png\",\"tags\":[\"fine\"],\"captured_at\":\"\"}\n");

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path));

        var r = Assert.Single(outcomes.Rejections());
        Assert.Equal(RejectionCodes.UnreadableMetadata, r.Code);
        Assert.EndsWith("/a.png", r.Origin);
        Assert.Contains(reason, r.Message);
        Assert.Equal("b.png", Assert.Single(outcomes.Items()).FileName);
    }

    [Theory]
    [InlineData("e", "explicit")]
    [InlineData("Q", "questionable")]
    [InlineData("s", "sensitive")]
    [InlineData("safe", "sensitive")]
    [InlineData("g", "general")]
    [InlineData("rating:explicit", "explicit")]
    [InlineData("rating_q", "questionable")]
    [InlineData("Explicit", "explicit")]
    public async Task Booru_ratings_are_read_as_the_catalogs_words(string given, string rating)
    {
        using var dir = new TempDir();
        dir.Write("a.png", Repo.Png());
        dir.Write("metadata.jsonl", $"{{\"file_name\":\"a.png\",\"rating\":\"{given}\"}}\n");

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path));

        Assert.Empty(outcomes.Rejections());
        Assert.Equal(rating, Assert.Single(outcomes.Items()).Metadata!.Rating);
    }

    [Fact]
    public async Task A_rating_tag_in_a_caption_rates_the_image_and_the_stricter_of_two_ratings_wins()
    {
        using var dir = new TempDir();
        dir.Write("a.png", Repo.Png());
        dir.Write("a.txt", "smile, rating:explicit, blue sky");
        dir.Write("b.png", Repo.Png("1f605.png"));
        dir.Write("b.txt", "rating_q, cat");
        dir.Write("c.png", Repo.Png("1f60d.png"));
        dir.Write("c.txt", "rating:sensitive, dog");
        dir.Write("metadata.jsonl", "{\"file_name\":\"b.png\",\"rating\":\"general\"}\n{\"file_name\":\"c.png\",\"rating\":\"explicit\"}\n");

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(dir.Path));

        Assert.Empty(outcomes.Rejections());
        var items = outcomes.Items().ToDictionary(i => i.FileName!);
        Assert.Equal("explicit", items["a.png"].Metadata!.Rating);
        Assert.Equal(["smile", "blue_sky"], items["a.png"].Metadata!.Tags.Select(t => t.Name));
        Assert.Equal("questionable", items["b.png"].Metadata!.Rating);
        Assert.Equal("explicit", items["c.png"].Metadata!.Rating);
    }

    [Theory]
    [InlineData("emoji.json", "[\n  {\"image\": \"a.png\"},\n  {\"image\": \"b.png\" \"x\": 1}\n]", "line 3:")]
    [InlineData("metadata.csv", "file_name,tags\na.png,sky\nb.png,\"unterminated\n", "line 3")]
    [InlineData("emoji.json", "{\"image\": \"a.png\"}", "line 1: expected a JSON array")]
    public async Task A_manifest_that_cannot_be_parsed_stops_the_source_before_it_yields_anything(string name, string text, string where)
    {
        using var dir = new TempDir();
        dir.Write("a.png", Repo.Png());
        dir.Write("b.png", Repo.Png("1f605.png"));
        dir.Write(name, text);
        var source = SourceResolver.Open(dir.Path, new SourceOptions { ManifestFileName = "emoji.json" });

        var yielded = new List<IngestOutcome>();
        var e = await Assert.ThrowsAsync<SourceException>(async () =>
        {
            await foreach (var o in source.ReadAsync(TestContext.Current.CancellationToken)) yielded.Add(o);
        });

        Assert.Empty(yielded);
        Assert.Equal(RejectionCodes.BadManifest, e.Code);
        Assert.Contains($"{dir.Path}/{name}", e.Message);
        Assert.Contains(where, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Url_list_metadata_that_cannot_be_read_rejects_the_url_without_fetching_it()
    {
        using var dir = new TempDir();
        var list = dir.Write("urls.jsonl", """{"url":"http://127.0.0.1:9/a.png","tags":{"general":["cat"]}}""" + "\n");
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(list));
        var r = Assert.Single(outcomes).As<IngestRejection>();
        Assert.Equal(RejectionCodes.UnreadableMetadata, r.Code);
        Assert.Equal("url:http://127.0.0.1:9/a.png", r.Origin);
        Assert.Contains("urls.jsonl#1", r.Message);
        Assert.Contains("'tags' holds a JSON object", r.Message);
    }

    [Fact]
    public void Xmp_packets_are_found_where_the_reader_looks_and_only_there()
    {
        Assert.True(XmpPacket.IsPresent(XmpImages.Jpeg(XmpImages.Harmless), ImageFormat.Jpeg));
        Assert.True(XmpPacket.IsPresent(XmpImages.Png(XmpImages.Harmless), ImageFormat.Png));
        Assert.False(XmpPacket.IsPresent(SyntheticImages.Jpeg(32, 24, 1), ImageFormat.Jpeg));
        Assert.False(XmpPacket.IsPresent(SyntheticImages.Png(32, 24, 1), ImageFormat.Png));
        Assert.False(XmpPacket.IsPresent(Repo.Png(), ImageFormat.Png));

        Assert.Null(ImageProbe.Read(XmpImages.Jpeg(XmpImages.Harmless)).XmpProblem);
        Assert.Null(ImageProbe.Read(XmpImages.Png(XmpImages.Harmless)).XmpProblem);
        Assert.Contains("XMP packet cannot be parsed", ImageProbe.Read(XmpImages.Jpeg(XmpImages.Broken)).XmpProblem);
        Assert.Contains("XMP packet cannot be parsed", ImageProbe.Read(XmpImages.Png(XmpImages.Broken)).XmpProblem);
    }

    [Fact]
    public void Xmp_in_webp_and_gif_is_checked_too()
    {
        var webp = File.ReadAllBytes(ImagingFixture("animated.webp"));
        var gif = File.ReadAllBytes(ImagingFixture("animated.gif"));
        Assert.False(XmpPacket.IsPresent(webp, ImageFormat.Webp));
        Assert.False(XmpPacket.IsPresent(gif, ImageFormat.Gif));

        Assert.True(XmpPacket.IsPresent(XmpImages.Webp(webp, XmpImages.Harmless), ImageFormat.Webp));
        Assert.True(XmpPacket.IsPresent(XmpImages.Gif(gif, XmpImages.Harmless), ImageFormat.Gif));
        Assert.Null(ImageProbe.Read(XmpImages.Webp(webp, XmpImages.Harmless)).XmpProblem);
        Assert.Null(ImageProbe.Read(XmpImages.Gif(gif, XmpImages.Harmless)).XmpProblem);
        Assert.Contains("cannot be parsed", ImageProbe.Read(XmpImages.Webp(webp, XmpImages.Broken)).XmpProblem);
        Assert.Contains("cannot be parsed", ImageProbe.Read(XmpImages.Gif(gif, XmpImages.Broken)).XmpProblem);
    }

    private static string ImagingFixture(string name) => Path.Combine(Repo.Root, "tests", "Atelier.Imaging.Tests", "Fixtures", name);
}
