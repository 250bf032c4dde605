using System.Net;
using Atelier.Imaging;
using Atelier.Ingest.Metadata;
using Atelier.Ingest.Sources;
using Polly;
using Polly.Retry;

namespace Atelier.Ingest.Http;

/// <summary>
/// Downloads one URL at a time (callers bound concurrency) with retries, a per-request timeout, a size cap,
/// manual redirects (max hops, loop detection, http/https only) and the AI opt-out check on every hop. Never throws
/// except on cancellation: every failure is an <see cref="IngestRejection"/>.
/// </summary>
public sealed class HttpFetcher : IDisposable
{
    /// <summary>Response headers kept on <see cref="IngestItem.ResponseHeaders"/>.</summary>
    public static readonly IReadOnlyList<string> HeadersOfInterest =
        ["Content-Type", "Content-Length", "ETag", "Last-Modified", "X-Robots-Tag", "Content-Disposition"];

    private readonly SourceOptions _options;
    private readonly HttpClient _client;
    private readonly ResiliencePipeline<Attempt> _retry;

    public HttpFetcher(SourceOptions options) : this(options, null) { }

    /// <param name="onRetry">Told each retry's delay before it waits (tests check the back-off with it, instead of a clock).</param>
    internal HttpFetcher(SourceOptions options, Action<TimeSpan>? onRetry)
    {
        _options = options;
        _retry = RetryPipeline(options, onRetry);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = options.HttpTimeout,
            MaxConnectionsPerServer = Math.Max(1, options.HttpConcurrency),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            UseCookies = false,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.UserAgent);
    }

    public static bool IsSupportedScheme(Uri url) => url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps;

    public static string OriginOf(Uri url) => "url:" + url.AbsoluteUri;

    /// <summary>Fetches <paramref name="url"/> into an <see cref="IngestItem"/> (origin <c>url:</c> + the requested URL) or a rejection.</summary>
    public async Task<IngestOutcome> FetchAsync(Uri url, ItemMetadata? metadata, CancellationToken cancellationToken)
    {
        var origin = OriginOf(url);
        if (!IsSupportedScheme(url))
            return new IngestRejection(origin, RejectionCodes.UnsupportedScheme, $"scheme '{url.Scheme}' is not http or https");
        var visited = new HashSet<string>(StringComparer.Ordinal) { url.AbsoluteUri };
        var current = url;
        string? hopSignal = null;
        for (int hop = 0; ; hop++)
        {
            var result = await WithRetriesAsync(current, origin, url, metadata, cancellationToken).ConfigureAwait(false);
            if (result is not Redirect redirect)
            {
                var outcome = ((Done)result).Outcome;
                return hopSignal is not null && outcome is IngestItem item ? item with { OptOutSignal = item.OptOutSignal ?? hopSignal } : outcome;
            }
            hopSignal ??= redirect.OptOutSignal;
            var next = redirect.Location.IsAbsoluteUri ? redirect.Location : new Uri(current, redirect.Location);
            if (!IsSupportedScheme(next))
                return new IngestRejection(origin, RejectionCodes.UnsupportedScheme, $"redirect to scheme '{next.Scheme}' refused");
            if (!visited.Add(next.AbsoluteUri))
                return new IngestRejection(origin, RejectionCodes.RedirectLoop, $"redirect loop back to {next.AbsoluteUri}");
            if (hop + 1 > _options.MaxRedirects)
                return new IngestRejection(origin, RejectionCodes.TooManyRedirects, $"more than {_options.MaxRedirects} redirects");
            current = next;
        }
    }

    private abstract record Attempt;
    private sealed record Done(IngestOutcome Outcome) : Attempt;
    private sealed record Redirect(Uri Location, string? OptOutSignal) : Attempt;
    private sealed record Retryable(string Code, string Message, TimeSpan? RetryAfter) : Attempt;

    private async Task<Attempt> WithRetriesAsync(Uri url, string origin, Uri requested, ItemMetadata? metadata, CancellationToken ct)
    {
        int attempts = 0;
        var result = await _retry.ExecuteAsync(async token =>
        {
            attempts++;
            return await AttemptAsync(url, origin, requested, metadata, token).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        return result is Retryable retry
            ? new Done(new IngestRejection(origin, retry.Code, $"{retry.Message} after {attempts} attempt(s)"))
            : result;
    }

    /// <summary>
    /// Retries a <see cref="Retryable"/> attempt (5xx, 408, 429, time-out, connection error) up to <see cref="SourceOptions.HttpRetries"/>
    /// times: exponential back-off from <see cref="SourceOptions.RetryBaseDelay"/> with jitter, so that parallel workers do not retry in
    /// lockstep, or the server's Retry-After when it sent one; either capped by <see cref="SourceOptions.MaxRetryDelay"/>.
    /// </summary>
    private static ResiliencePipeline<Attempt> RetryPipeline(SourceOptions options, Action<TimeSpan>? onRetry)
    {
        if (options.HttpRetries <= 0) return ResiliencePipeline<Attempt>.Empty; // Polly wants at least one retry
        var maxDelay = options.MaxRetryDelay;
        return new ResiliencePipelineBuilder<Attempt>()
            .AddRetry(new RetryStrategyOptions<Attempt>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is Retryable),
                MaxRetryAttempts = options.HttpRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = maxDelay,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result is Retryable { RetryAfter: { } after } && after >= TimeSpan.Zero
                        ? (TimeSpan?)(after < maxDelay ? after : maxDelay)
                        : null),
                OnRetry = args =>
                {
                    onRetry?.Invoke(args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private async Task<Attempt> AttemptAsync(Uri url, string origin, Uri requested, ItemMetadata? metadata, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.HttpTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308)
            {
                // An opt-out on any hop covers what it points at: stop here rather than fetch the target.
                var hopSignal = OptOut(response) is { } header ? $"redirect hop {url.AbsoluteUri} sent X-Robots-Tag: {header}" : null;
                if (hopSignal is not null && _options.HonourOptOut)
                    return new Done(new IngestRejection(origin, RejectionCodes.OptedOut, hopSignal));
                return response.Headers.Location is { } location
                    ? new Redirect(location, hopSignal)
                    : new Done(new IngestRejection(origin, RejectionCodes.HttpStatus, $"HTTP {status} without a Location header"));
            }
            if (status is 408 or 429 or >= 500)
                return new Retryable(RejectionCodes.HttpStatus, $"HTTP {status}", RetryAfter(response));
            if (status is < 200 or >= 300)
                return new Done(new IngestRejection(origin, RejectionCodes.HttpStatus, $"HTTP {status} {response.ReasonPhrase}".TrimEnd()));

            var signal = OptOut(response) is { } robots ? $"X-Robots-Tag: {robots}" : null;
            if (signal is not null && _options.HonourOptOut)
                return new Done(new IngestRejection(origin, RejectionCodes.OptedOut, signal));

            var length = response.Content.Headers.ContentLength;
            byte[] body;
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                body = await BoundedRead.ReadAllAsync(stream, _options.MaxFileBytes, length ?? -1, timeout.Token).ConfigureAwait(false);
            }
            catch (IngestFileException e)
            {
                return new Done(new IngestRejection(origin, e.Code, e.Message));
            }

            var mediaType = response.Content.Headers.ContentType?.MediaType;
            bool imageType = mediaType is not null && mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase);
            // Recognised as the rest of Atelier recognises a file: a format the decoder reads.
            if (!imageType && ImageFormats.Sniff(body) is null)
                return new Done(new IngestRejection(origin, RejectionCodes.NotAnImage,
                    $"Content-Type '{mediaType ?? "none"}' and no image signature in {body.Length:N0} bytes"));

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in HeadersOfInterest)
            {
                if (response.Headers.TryGetValues(name, out var v) || response.Content.Headers.TryGetValues(name, out v))
                    headers[name] = string.Join(", ", v);
            }
            var final = url.AbsoluteUri == requested.AbsoluteUri ? null : url.AbsoluteUri;
            return new Done(new IngestItem(origin, FileNameOf(url), body, metadata, headers, final, signal));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new Retryable(RejectionCodes.Timeout, $"no complete response within {_options.HttpTimeout.TotalSeconds:0.###} s", null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // A timeout that fires mid-body can surface as an IO error.
            return timeout.IsCancellationRequested && !ct.IsCancellationRequested
                ? new Retryable(RejectionCodes.Timeout, $"no complete response within {_options.HttpTimeout.TotalSeconds:0.###} s", null)
                : new Retryable(RejectionCodes.NetworkError, e.Message.ReplaceLineEndings(" "), null);
        }
    }

    /// <summary>The X-Robots-Tag value(s) when they opt out of AI use, else null.</summary>
    private static string? OptOut(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Robots-Tag", out var robots) && RobotsTag.OptsOutOfAi(robots) ? string.Join(", ", robots) : null;

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

    /// <summary>The last path segment, unescaped and made safe as a file name; <c>download</c> when there is none.</summary>
    public static string FileNameOf(Uri url)
    {
        var segment = url.Segments.Length > 0 ? Uri.UnescapeDataString(url.Segments[^1]).Trim('/') : "";
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new string(segment.Select(c => invalid.Contains(c) || c == '\\' || char.IsControl(c) ? '_' : c).ToArray()).Trim();
        return safe.Length == 0 || safe is "." or ".." ? "download" : safe;
    }

    public void Dispose() => _client.Dispose();
}
