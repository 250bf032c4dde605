using Atelier.TestSupport;
using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Tests;

public sealed class UrlListSourceTests
{
    private static readonly SourceOptions Fast = new()
    {
        HttpTimeout = TimeSpan.FromSeconds(10),
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
    };

    private static LoopbackServer ImageServer(Waves? waves = null) =>
        new((path, _) => path.StartsWith("/img/", StringComparison.Ordinal)
            ? Reply.Png(Repo.Png()) with { HoldUntil = waves?.Arrive() }
            : Reply.Text(404, "no"));

    [Fact]
    public async Task Txt_list_skips_comments_and_reports_bad_lines_in_order()
    {
        await using var server = ImageServer();
        using var dir = new TempDir();
        var list = dir.Write("urls.txt", $"# my list\n{server.Url("/img/1.png")}\n\nnot a url\nftp://example.org/x.png\n{server.Url("/img/2.png")}\n{server.Url("/img/1.png")}\n");

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(list, Fast));

        Assert.Equal(
            ["item", RejectionCodes.BadUrl, RejectionCodes.UnsupportedScheme, "item", RejectionCodes.DuplicateUrl],
            outcomes.Select(o => o is IngestRejection r ? r.Code : "item"));
        Assert.Equal("list:" + list + "#4", outcomes[1].Origin);
        var first = outcomes.Items()[0];
        Assert.Equal(server.Url("/img/1.png"), first.Metadata!.SourceUrl);
    }

    [Fact]
    public async Task Csv_list_turns_extra_columns_into_metadata()
    {
        await using var server = ImageServer();
        using var dir = new TempDir();
        var list = dir.Write("list.csv",
            $"URL,caption,licence,kind\n{server.Url("/img/a.png")},\"Sunset, over the sea\",CC-BY-4.0,photo\n{server.Url("/img/b.png")},\"say \"\"hi\"\"\",CC0-1.0,\n,missing,x,y\n");
        var options = Fast with { Mapping = MetadataMapping.Parse(["tags:caption=general", "tags:kind=medium", "license=licence"]) };

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(list, options));

        var items = outcomes.Items();
        Assert.Equal(2, items.Count);
        var a = items[0].Metadata!;
        Assert.Equal([new ItemTag("sunset", "general"), new ItemTag("over_the_sea", "general"), new ItemTag("photo", "medium")], a.Tags);
        Assert.Equal("CC-BY-4.0", a.License);
        Assert.Equal(server.Url("/img/a.png"), a.SourceUrl);
        Assert.Equal([new ItemTag("say_\"hi\"", "general")], items[1].Metadata!.Tags);
        var bad = Assert.Single(outcomes.Rejections());
        Assert.Equal(RejectionCodes.BadListLine, bad.Code);
        Assert.EndsWith("#4", bad.Origin);
    }

    [Fact]
    public async Task Jsonl_list_maps_fields_and_survives_broken_lines()
    {
        await using var server = ImageServer();
        using var dir = new TempDir();
        var list = dir.Write("list.jsonl", string.Join('\n',
            $$"""{"url":"{{server.Url("/img/a.png")}}","tags":["Blue Sky","cloud"],"rating":"general","date":"2023:07:14 12:30:00","page":"https://example.org/p/1"}""",
            """{"url": 42}""",
            "{not json",
            $$"""{"url":"{{server.Url("/img/b.png")}}"}"""));
        var options = Fast with { Mapping = MetadataMapping.Parse(["tags:tags", "rating=rating", "captured=date", "source_url=page"]) };

        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(list, options));

        Assert.Equal(["item", RejectionCodes.BadListLine, RejectionCodes.BadListLine, "item"],
            outcomes.Select(o => o is IngestRejection r ? r.Code : "item"));
        var a = outcomes.Items()[0].Metadata!;
        Assert.Equal(["blue_sky", "cloud"], a.Tags.Select(t => t.Name));
        Assert.Equal("general", a.Rating);
        Assert.Equal(new DateTimeOffset(2023, 7, 14, 12, 30, 0, TimeSpan.Zero), a.CapturedAt);
        Assert.Equal("https://example.org/p/1", a.SourceUrl);
        Assert.DoesNotContain("\"url\"", a.Raw);
    }

    [Fact]
    public async Task Downloads_run_concurrently_but_within_the_bound()
    {
        // The server answers only once 3 requests wait together, so the downloads finish only if 3 run at once.
        await using var server = ImageServer(new Waves(3));
        using var dir = new TempDir();
        var list = dir.Write("many.txt", string.Join('\n', Enumerable.Range(0, 12).Select(i => server.Url($"/img/{i}.png"))));
        // A generous time-out: only a hang guard, were fewer than 3 to run at once.
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(list, Fast with { HttpConcurrency = 3, HttpTimeout = TimeSpan.FromMinutes(2), HttpRetries = 0 }));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{i}.png"), outcomes.Select(o => o.As<IngestItem>().FileName));
        Assert.Equal(3, server.MaxInFlight);
    }

    [Fact]
    public async Task Skip_predicate_prevents_the_download()
    {
        await using var server = ImageServer();
        using var dir = new TempDir();
        var done = server.Url("/img/done.png");
        var list = dir.Write("resume.txt", $"{done}\n{server.Url("/img/new.png")}\n");
        var options = Fast with { Skip = o => o == "url:" + done };
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(list, options));
        Assert.Equal("new.png", Assert.Single(outcomes).As<IngestItem>().FileName);
        Assert.False(server.Hits.ContainsKey("/img/done.png"));
    }
}
