using Atelier.TestSupport;
using System.Text;
using Atelier.Ingest.Http;

namespace Atelier.Ingest.Tests;

public sealed class HttpFetchTests
{
    private static readonly SourceOptions Fast = new()
    {
        HttpTimeout = TimeSpan.FromSeconds(10), // generous: only the timeout tests want a short one, and they set their own
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
    };

    private static async Task<IngestOutcome> Fetch(string url, SourceOptions? options = null)
    {
        using var fetcher = new HttpFetcher(options ?? Fast);
        return await fetcher.FetchAsync(new Uri(url), null, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Retries_after_503s_then_succeeds()
    {
        var png = Repo.Png();
        await using var server = new LoopbackServer((_, hit) => hit <= 2 ? Reply.Text(503, "busy") : Reply.Png(png, ("ETag", "\"v1\"")));
        var item = (await Fetch(server.Url("/a.png"))).As<IngestItem>();
        Assert.Equal(png, item.Content);
        Assert.Equal("a.png", item.FileName);
        Assert.Equal("url:" + server.Url("/a.png"), item.Origin);
        Assert.Equal("\"v1\"", item.ResponseHeaders!["etag"]);
        Assert.Equal("image/png", item.ResponseHeaders["Content-Type"]);
        Assert.Equal(3, server.Hits["/a.png"]);
    }

    [Fact]
    public async Task Gives_up_after_the_retry_budget()
    {
        await using var server = new LoopbackServer((_, _) => Reply.Text(503, "down"));
        var rejection = (await Fetch(server.Url("/x.png"))).As<IngestRejection>();
        Assert.Equal(RejectionCodes.HttpStatus, rejection.Code);
        Assert.Contains("4 attempt", rejection.Message);
        Assert.Equal(4, server.Hits["/x.png"]);
    }

    [Fact]
    public async Task Client_errors_are_not_retried()
    {
        await using var server = new LoopbackServer((_, _) => Reply.Text(404, "nope"));
        Assert.Equal(RejectionCodes.HttpStatus, (await Fetch(server.Url("/gone.png"))).As<IngestRejection>().Code);
        Assert.Equal(1, server.Hits["/gone.png"]);
    }

    [Fact]
    public async Task Slow_server_times_out_per_request()
    {
        // The server never answers, so only the per-request time-out can end each attempt.
        await using var server = new LoopbackServer((_, _) => Reply.Png(Repo.Png()) with { HoldUntil = Reply.Never });
        var rejection = (await Fetch(server.Url("/slow.png"), Fast with { HttpTimeout = TimeSpan.FromMilliseconds(200), HttpRetries = 1 })).As<IngestRejection>();
        Assert.Equal(RejectionCodes.Timeout, rejection.Code);
        // Both attempts ended by the time-out. Not checked on the server: on a loaded machine an attempt's
        // 200 ms can run out before the server has even read its request.
        Assert.Equal("no complete response within 0.2 s after 2 attempt(s)", rejection.Message);
    }

    [Fact]
    public async Task Retry_after_is_waited_instead_of_the_backoff_but_never_longer_than_the_cap()
    {
        await using var server = new LoopbackServer((path, hit) => hit == 1
            ? Reply.Text(path == "/busy.png" ? 503 : 429, "later") with { Headers = [("Content-Type", "text/html"), ("Retry-After", "120")] }
            : Reply.Png(Repo.Png()));
        var delays = new List<TimeSpan>();
        // A base delay far below the cap, so a back-off delay cannot be mistaken for the capped Retry-After.
        var options = Fast with { RetryBaseDelay = TimeSpan.FromMilliseconds(1), MaxRetryDelay = TimeSpan.FromMilliseconds(300) };
        using var fetcher = new HttpFetcher(options, d => { lock (delays) delays.Add(d); });
        foreach (var path in new[] { "/busy.png", "/slow-down.png" })
            (await fetcher.FetchAsync(new Uri(server.Url(path)), null, TestContext.Current.CancellationToken)).As<IngestItem>();
        Assert.Equal([TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300)], delays);
        Assert.Equal(2, server.Hits["/busy.png"]);
        Assert.Equal(2, server.Hits["/slow-down.png"]);
    }

    [Fact]
    public async Task Backoff_delays_are_jittered_within_the_cap_one_per_retry()
    {
        await using var server = new LoopbackServer((_, _) => Reply.Text(500, "broken"));
        var delays = new List<TimeSpan>();
        using var fetcher = new HttpFetcher(Fast, d => { lock (delays) delays.Add(d); });
        var rejection = (await fetcher.FetchAsync(new Uri(server.Url("/x.png")), null, TestContext.Current.CancellationToken)).As<IngestRejection>();
        Assert.Equal("HTTP 500 after 4 attempt(s)", rejection.Message);
        Assert.Equal(Fast.HttpRetries, delays.Count);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, Fast.MaxRetryDelay));
    }

    [Fact]
    public async Task Cancelling_during_the_backoff_stops_the_fetch()
    {
        await using var server = new LoopbackServer((_, _) => Reply.Text(503, "busy") with { Headers = [("Content-Type", "text/html"), ("Retry-After", "3600")] });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // The fetch would wait an hour before its retry; it is cancelled as soon as that wait is scheduled.
        using var fetcher = new HttpFetcher(Fast with { MaxRetryDelay = TimeSpan.FromHours(1) }, _ => cancel.Cancel());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetcher.FetchAsync(new Uri(server.Url("/x.png")), null, cancel.Token));
        Assert.Equal(1, server.Hits["/x.png"]);
    }

    [Fact]
    public async Task No_retries_means_one_attempt()
    {
        await using var server = new LoopbackServer((_, _) => Reply.Text(503, "busy"));
        var rejection = (await Fetch(server.Url("/x.png"), Fast with { HttpRetries = 0 })).As<IngestRejection>();
        Assert.Equal("HTTP 503 after 1 attempt(s)", rejection.Message);
        Assert.Equal(1, server.Hits["/x.png"]);
    }

    [Fact]
    public async Task Follows_redirects_and_records_the_final_url()
    {
        await using var server = new LoopbackServer((path, _) => path == "/old" ? Reply.RedirectTo("/new/pic.png") : Reply.Png(Repo.Png()));
        var item = (await Fetch(server.Url("/old"))).As<IngestItem>();
        Assert.Equal(server.Url("/new/pic.png"), item.FinalUrl);
        Assert.Equal("pic.png", item.FileName);
        Assert.Equal("url:" + server.Url("/old"), item.Origin);
    }

    [Fact]
    public async Task Redirect_loop_and_too_many_redirects_are_rejected()
    {
        await using var server = new LoopbackServer((path, _) => path switch
        {
            "/a" => Reply.RedirectTo("/b"),
            "/b" => Reply.RedirectTo("/a"),
            "/ftp" => Reply.RedirectTo("ftp://127.0.0.1/x.png"),
            _ => Reply.RedirectTo("/r" + (int.Parse(path[2..]) + 1)),
        });
        Assert.Equal(RejectionCodes.RedirectLoop, (await Fetch(server.Url("/a"))).As<IngestRejection>().Code);
        Assert.Equal(RejectionCodes.TooManyRedirects, (await Fetch(server.Url("/r0"), Fast with { MaxRedirects = 3 })).As<IngestRejection>().Code);
        Assert.Equal(4, server.Hits.Keys.Count(k => k.StartsWith("/r", StringComparison.Ordinal)));
        Assert.Equal(RejectionCodes.UnsupportedScheme, (await Fetch(server.Url("/ftp"))).As<IngestRejection>().Code);
    }

    [Fact]
    public async Task An_opt_out_the_policy_does_not_honour_is_fetched_and_carried_with_the_item()
    {
        await using var server = new LoopbackServer((path, _) => path switch
        {
            "/start" => Reply.RedirectTo("/final.png") with { Headers = [("Location", "/final.png"), ("X-Robots-Tag", "noai")] },
            "/direct.png" => Reply.Png(Repo.Png()) with { Headers = [("X-Robots-Tag", "noimageai")] },
            _ => Reply.Png(Repo.Png()),
        });
        var lenient = Fast with { HonourOptOut = false };
        var viaHop = (await Fetch(server.Url("/start"), lenient)).As<IngestItem>();
        Assert.Contains("redirect hop", viaHop.OptOutSignal);
        Assert.Contains("noai", viaHop.OptOutSignal);
        var direct = (await Fetch(server.Url("/direct.png"), lenient)).As<IngestItem>();
        Assert.Equal("X-Robots-Tag: noimageai", direct.OptOutSignal);
        Assert.Null((await Fetch(server.Url("/other.png"), lenient)).As<IngestItem>().OptOutSignal);
    }

    [Fact]
    public async Task Opt_out_on_an_intermediate_redirect_hop_stops_the_fetch()
    {
        await using var server = new LoopbackServer((path, _) => path switch
        {
            "/start" => Reply.RedirectTo("/hop"),
            "/hop" => Reply.RedirectTo("/final.png") with { Headers = [("Location", "/final.png"), ("X-Robots-Tag", "noindex, noimageai")] },
            "/plain" => Reply.RedirectTo("/final.png") with { Headers = [("Location", "/final.png"), ("X-Robots-Tag", "noindex")] },
            _ => Reply.Png(Repo.Png()),
        });

        var r = (await Fetch(server.Url("/start"))).As<IngestRejection>();
        Assert.Equal(RejectionCodes.OptedOut, r.Code);
        Assert.Equal("url:" + server.Url("/start"), r.Origin);
        Assert.Contains(server.Url("/hop"), r.Message);
        Assert.Contains("X-Robots-Tag: noindex, noimageai", r.Message);
        Assert.False(server.Hits.ContainsKey("/final.png"), "the target of an opted-out hop must not be fetched");

        // A hop whose X-Robots-Tag is only about search is followed as before.
        var item = (await Fetch(server.Url("/plain"))).As<IngestItem>();
        Assert.Equal(server.Url("/final.png"), item.FinalUrl);
    }

    [Fact]
    public async Task Oversized_body_is_rejected_with_or_without_content_length()
    {
        var big = new byte[300_000];
        await using var server = new LoopbackServer((path, _) =>
            path == "/declared.png" ? Reply.Png(big) : Reply.Png(big) with { OmitLength = true });
        var options = Fast with { MaxFileBytes = 100_000 };

        var declared = (await Fetch(server.Url("/declared.png"), options)).As<IngestRejection>();
        Assert.Equal(RejectionCodes.FileTooLarge, declared.Code);
        Assert.Contains("300,000", declared.Message);

        var streamed = (await Fetch(server.Url("/streamed.png"), options)).As<IngestRejection>();
        Assert.Equal(RejectionCodes.FileTooLarge, streamed.Code);

        // The same body without a limit problem arrives whole, also when the length is not declared.
        var ok = (await Fetch(server.Url("/streamed.png"), Fast)).As<IngestItem>();
        Assert.Equal(big.Length, ok.Content.Length);
    }

    [Fact]
    public async Task Non_image_is_rejected_but_image_bytes_with_a_generic_type_pass()
    {
        var png = Repo.Png();
        await using var server = new LoopbackServer((path, _) => path switch
        {
            "/page" => Reply.Text(200, "<html>not an image</html>"),
            _ => new Reply(200, png, ("Content-Type", "application/octet-stream")),
        });
        Assert.Equal(RejectionCodes.NotAnImage, (await Fetch(server.Url("/page"))).As<IngestRejection>().Code);
        Assert.Equal(png, (await Fetch(server.Url("/blob"))).As<IngestItem>().Content);
    }

    [Theory]
    [InlineData("noai", true)]
    [InlineData("noindex, NoImageAI", true)]
    [InlineData("otherbot: noai", true)]
    [InlineData("none", false)]
    [InlineData("noindex, nofollow", false)]
    public async Task X_robots_tag_noai_opts_out(string header, bool optedOut)
    {
        await using var server = new LoopbackServer((_, _) => Reply.Png(Repo.Png(), ("X-Robots-Tag", header)));
        var outcome = await Fetch(server.Url("/p.png"));
        if (optedOut)
        {
            var r = outcome.As<IngestRejection>();
            Assert.Equal(RejectionCodes.OptedOut, r.Code);
            Assert.Contains(header, r.Message);
        }
        else
        {
            Assert.Equal(header, outcome.As<IngestItem>().ResponseHeaders!["X-Robots-Tag"]);
        }
    }

    /// <summary>Every format the decoder reads passes with a generic Content-Type, recognised by its bytes as everywhere else.</summary>
    [Theory]
    [InlineData("quads.tif")]
    [InlineData("quads.avif")]
    [InlineData("quads-alpha.ico")]
    [InlineData("quads-64.heic")]
    [InlineData("quads.ppm")]
    [InlineData("yellow.bmp")]
    [InlineData("animated.webp")]
    [InlineData("animated.gif")]
    [InlineData("cmyk.jpg")]
    public async Task Every_decodable_format_with_a_generic_type_passes(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Repo.Root, "tests", "Atelier.Imaging.Tests", "Fixtures", file));
        await using var server = new LoopbackServer((_, _) => new Reply(200, bytes, ("Content-Type", "application/octet-stream")));

        var item = (await Fetch(server.Url("/" + file))).As<IngestItem>();

        Assert.Equal(bytes, item.Content);
        Assert.NotNull(Atelier.Imaging.ImageFormats.Sniff(item.Content));
    }

    /// <summary>Without an image Content-Type, bytes of no format the decoder reads are refused at the door: text, nothing, QOI.</summary>
    [Theory]
    [InlineData("<!doctype html><p>a page</p>")]
    [InlineData("")]
    [InlineData("qoif\0\0\0\u0010\0\0\0\u0010\u0004\0")]
    public async Task Bytes_of_no_readable_format_with_a_generic_type_are_not_an_image(string body)
    {
        var bytes = Encoding.Latin1.GetBytes(body);
        await using var server = new LoopbackServer((_, _) => new Reply(200, bytes, ("Content-Type", "application/octet-stream")));

        var rejection = (await Fetch(server.Url("/thing"))).As<IngestRejection>();

        Assert.Equal(RejectionCodes.NotAnImage, rejection.Code);
    }
}
