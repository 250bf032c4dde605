using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Atelier.Catalog;

namespace Atelier.TestSupport;

/// <summary>One annotator of a load run: their studio account.</summary>
public sealed record Annotator(string Name, string Password);

/// <summary>What a load run did: every request's latency by kind, and every write the studio acknowledged.</summary>
public sealed class LoadResult
{
    public List<(string Kind, double Milliseconds)> Requests { get; } = [];
    public int Conflicts { get; set; }
    public int Failures { get; set; }
    public List<string> FailureSamples { get; } = [];
    /// <summary>(image, tag) each annotator's acknowledged adds and removes leave on the image.</summary>
    public Dictionary<string, HashSet<(long Image, string Tag)>> TagsExpected { get; } = [];
    /// <summary>Per image, the highest acknowledged rating version and the rating it set.</summary>
    public Dictionary<long, (long Version, string Rating)> RatingsExpected { get; } = [];
    public int AcknowledgedWrites { get; set; }

    public double Percentile(double p, string? kind = null)
    {
        var values = Requests.Where(r => kind is null || r.Kind == kind).Select(r => r.Milliseconds).Order().ToArray();
        if (values.Length == 0) return double.NaN;
        var rank = Math.Clamp((int)Math.Ceiling(p / 100 * values.Length) - 1, 0, values.Length - 1);
        return values[rank];
    }

    /// <summary>Every acknowledged write the catalog does not hold, one line each (empty: nothing lost).</summary>
    public IReadOnlyList<string> Lost(Catalog.Catalog catalog)
    {
        var lost = new List<string>();
        foreach (var image in catalog.SelectIds(Selector.All))
        {
            var have = catalog.TagsOf(image).Select(t => t.Name).ToHashSet();
            foreach (var (annotator, expected) in TagsExpected)
            {
                var prefix = Prefix(annotator);
                var want = expected.Where(e => e.Image == image).Select(e => e.Tag).ToHashSet();
                var theirs = have.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet();
                foreach (var t in want.Except(theirs)) lost.Add($"image {image} lost {annotator}'s tag {t}");
                foreach (var t in theirs.Except(want)) lost.Add($"image {image} kept {annotator}'s removed tag {t}");
            }
        }
        foreach (var (image, (version, rating)) in RatingsExpected)
        {
            var stored = catalog.GetImage(image);
            if (stored is null) lost.Add($"image {image} is gone");
            else if (stored.RatingVersion != version || (stored.Rating ?? "unrated") != rating)
                lost.Add($"image {image} holds rating {stored.Rating ?? "unrated"} v{stored.RatingVersion}, acknowledged {rating} v{version}");
        }
        return lost;
    }

    public static string Prefix(string annotator) => Tags.Normalize(annotator) + "_t";
}

/// <summary>
/// Many annotators at once against a running studio over loopback HTTP: each signs in with their own cookie, then tags,
/// untags and rates random images (a seeded sequence per annotator). Each annotator's tags carry their name, so the
/// merged result can be checked exactly; ratings carry the version the annotator last saw, and a refusal (409) updates it.
/// </summary>
public static class AnnotatorLoad
{
    private static readonly string[] Ratings = ["general", "sensitive", "questionable", "explicit"];

    /// <param name="operations">Requests per annotator (null: until <paramref name="duration"/> has passed).</param>
    /// <param name="thinkMilliseconds">Mean pause between one annotator's requests (uniform over 0 to twice it); 0: none,
    /// each annotator sends the next request as soon as the last is answered.</param>
    /// <param name="shownVersions">Each image's rating version when the annotators first see it (null: 0, never rated).</param>
    public static async Task<LoadResult> RunAsync(Uri address, IReadOnlyList<Annotator> annotators, IReadOnlyList<long> images, int seed,
        int? operations, TimeSpan duration, CancellationToken cancellation, int thinkMilliseconds = 0, IReadOnlyDictionary<long, long>? shownVersions = null)
    {
        var result = new LoadResult();
        var sessions = new List<(Annotator Who, HttpClient Client, string Token)>();
        foreach (var a in annotators)
        {
            var client = new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = address };
            var form = await client.GetStringAsync("/signin", cancellation);
            var answer = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["name"] = a.Name, ["password"] = a.Password, ["__RequestVerificationToken"] = StudioPage.FormToken(form),
            }), cancellation);
            if (answer.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"{a.Name} could not sign in: {answer.StatusCode}");
            var page = await client.GetStringAsync("/signin", cancellation);
            sessions.Add((a, client, StudioPage.MetaToken(page)));
            result.TagsExpected[a.Name] = [];
        }
        var versions = shownVersions?.ToDictionary() ?? [];
        var clock = Stopwatch.StartNew();
        var work = sessions.Select((s, index) => Task.Run(async () =>
        {
            var random = new Random(HashCode.Combine(seed, index));
            var mine = new List<(long Image, string Tag)>();
            for (int n = 0; operations is { } count ? n < count : clock.Elapsed < duration; n++)
            {
                cancellation.ThrowIfCancellationRequested();
                if (thinkMilliseconds > 0) await Task.Delay(random.Next(0, 2 * thinkMilliseconds + 1), cancellation);
                var image = images[random.Next(images.Count)];
                var roll = random.NextDouble();
                if (roll < 0.5 || (roll < 0.7 && mine.Count == 0))
                {
                    var tag = $"{LoadResult.Prefix(s.Who.Name)}{n}";
                    if ((await Send(s.Client, s.Token, "/api/images/tags", new { ids = new[] { image }, add = new[] { tag } }, "tag", result)).Status == HttpStatusCode.OK)
                        lock (result) { result.TagsExpected[s.Who.Name].Add((image, tag)); result.AcknowledgedWrites++; mine.Add((image, tag)); }
                }
                else if (roll < 0.7)
                {
                    var (target, tag) = mine[random.Next(mine.Count)];
                    if ((await Send(s.Client, s.Token, "/api/images/tags", new { ids = new[] { target }, remove = new[] { tag } }, "untag", result)).Status == HttpStatusCode.OK)
                        lock (result) { result.TagsExpected[s.Who.Name].Remove((target, tag)); result.AcknowledgedWrites++; mine.Remove((target, tag)); }
                }
                else
                {
                    long shown;
                    lock (versions) shown = versions.GetValueOrDefault(image);
                    var rating = Ratings[random.Next(Ratings.Length)];
                    var (status, body) = await Send(s.Client, s.Token, $"/api/images/{image}/rating", new { rating, version = shown }, "rate", result);
                    if (body is not { } json || status is not (HttpStatusCode.OK or HttpStatusCode.Conflict)) continue;
                    // Acknowledged, or refused with the current value: either way the annotator now sees that version.
                    var version = json.GetProperty("version").GetInt64();
                    if (status == HttpStatusCode.OK)
                        lock (result)
                        {
                            result.AcknowledgedWrites++;
                            if (!result.RatingsExpected.TryGetValue(image, out var best) || best.Version < version)
                                result.RatingsExpected[image] = (version, json.GetProperty("rating").GetString()!);
                        }
                    lock (versions) versions[image] = Math.Max(versions.GetValueOrDefault(image), version);
                }
            }
        }, cancellation)).ToList();
        await Task.WhenAll(work);
        foreach (var s in sessions) s.Client.Dispose();
        return result;
    }

    /// <summary>The answer's status and JSON body; a conflict (409) is counted as refused, anything else but 200 as a failure.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement? Body)> Send(HttpClient client, string token, string path, object body, string kind, LoadResult result)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-CSRF-TOKEN", token);
        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var ms = clock.Elapsed.TotalMilliseconds;
        lock (result)
        {
            result.Requests.Add((kind, ms));
            if (response.StatusCode == HttpStatusCode.Conflict) result.Conflicts++;
            else if (response.StatusCode != HttpStatusCode.OK)
            {
                result.Failures++;
                if (result.FailureSamples.Count < 5) result.FailureSamples.Add($"{kind} {path}: {(int)response.StatusCode} {text}");
            }
        }
        JsonElement? json = null;
        try { json = JsonDocument.Parse(text).RootElement.Clone(); } catch (JsonException) { }
        return (response.StatusCode, json);
    }

}
