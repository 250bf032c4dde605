using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Imaging;
using Atelier.Studio.Security;

namespace Atelier.Studio.Api;

/// <summary>
/// Images over HTTP: thumbnails (never of a quarantined or excluded image, whatever URL is asked for), ratings with
/// optimistic concurrency, and tag changes on many images at once (additions and removals merge with everyone else's).
/// </summary>
public static class ImageEndpoints
{
    public sealed record RatingRequest(string? Rating, long Version);
    public sealed record TagRequest(IReadOnlyList<long> Ids, IReadOnlyList<string>? Add, IReadOnlyList<string>? Remove);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/media/thumbs/{id:long}", Thumbnail).RequireAuthorization(StudioPolicies.Viewer);
        app.MapPost("/api/images/{id:long}/rating", Rate).RequireAuthorization(StudioPolicies.Annotator).AddEndpointFilter<AntiforgeryCheck>();
        app.MapPost("/api/images/tags", Tag).RequireAuthorization(StudioPolicies.Annotator).AddEndpointFilter<AntiforgeryCheck>();
    }

    private static IResult Thumbnail(long id, StudioSession session, HttpResponse response)
    {
        var image = session.Catalog.GetImage(id);
        if (image is null || image.Excluded || image.ThumbnailSha256 is null) return Results.NotFound();
        var path = session.Workspace.Blobs.PathOf(image.ThumbnailSha256);
        if (!File.Exists(path)) return Results.NotFound();
        var bytes = File.ReadAllBytes(path);
        var type = ImageProbe.FormatOf(bytes) switch
        {
            ImageFormat.Png => "image/png",
            ImageFormat.Jpeg => "image/jpeg",
            ImageFormat.Webp => "image/webp",
            ImageFormat.Gif => "image/gif",
            _ => null,
        };
        if (type is null) return Results.NotFound();
        // Private and short: an image excluded later must not live on in shared caches.
        response.Headers.CacheControl = "private, max-age=300";
        return Results.Bytes(bytes, type);
    }

    /// <summary>A form posted by a browser without script gets redirects; scripts (JSON, or a form with Accept: application/json) get JSON.</summary>
    private static bool AnswersWithRedirect(HttpRequest request) =>
        request.HasFormContentType && !request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true);

    private static async Task<IResult> Rate(long id, HttpRequest request, StudioSession session)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var redirect = AnswersWithRedirect(request);
        RatingRequest? body = form is null
            ? await request.ReadFromJsonAsync<RatingRequest>()
            : new RatingRequest(form["rating"], long.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1);
        if (body is null) return Results.BadRequest(new { error = "send {\"rating\": ..., \"version\": ...}" });
        var rating = string.IsNullOrWhiteSpace(body.Rating) || body.Rating == "unrated" ? null : body.Rating.Trim().ToLowerInvariant();
        try
        {
            var change = Annotations.RateShown(session.Governance, id, rating, body.Version);
            return !redirect
                ? Results.Ok(new { id, rating = change.Rating ?? "unrated", version = change.Version, changed = change.Applied })
                : ApiAnswers.Back(form!["returnTo"], change.Applied ? $"Rated {rating ?? "unrated"}" : null);
        }
        catch (StaleRatingException e)
        {
            return !redirect
                ? Results.Json(new { error = e.Message, code = e.Code, rating = e.Current.Rating ?? "unrated", version = e.Current.Version }, statusCode: StatusCodes.Status409Conflict)
                : ApiAnswers.Back(form!["returnTo"], e.Message);
        }
        catch (AtelierException e)
        {
            return !redirect ? ApiAnswers.Refusal(e) : ApiAnswers.Back(form!["returnTo"], e.Message);
        }
    }

    private static async Task<IResult> Tag(HttpRequest request, StudioSession session)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var redirect = AnswersWithRedirect(request);
        var body = form is null
            ? await request.ReadFromJsonAsync<TagRequest>()
            : new TagRequest(
                [.. form["ids"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1)],
                [.. form["add"].SelectMany(Words)], [.. form["remove"].SelectMany(Words)]);
        if (body is null || body.Ids.Count == 0 || body.Ids.Any(i => i < 1))
            return Results.BadRequest(new { error = "name the images by their ids" });
        if (body.Ids.Count > MaxImagesPerChange)
            return Results.BadRequest(new { error = $"at most {MaxImagesPerChange} images in one change" });
        try
        {
            var selector = Selector.Parse(string.Join(',', body.Ids.Distinct().Order()));
            var governance = session.Governance;
            var added = body.Add is { Count: > 0 } add ? Annotations.AddTags(governance, selector, [.. add.Select(t => Tags.Parse(t))]).Changed : 0;
            var removed = body.Remove is { Count: > 0 } remove ? Annotations.RemoveTags(governance, selector, remove).Changed : 0;
            return !redirect
                ? Results.Ok(new { images = body.Ids.Count, added, removed })
                : ApiAnswers.Back(form!["returnTo"], $"{added} tag{(added == 1 ? "" : "s")} added, {removed} removed");
        }
        catch (AtelierException e)
        {
            return !redirect ? ApiAnswers.Refusal(e) : ApiAnswers.Back(form!["returnTo"], e.Message);
        }
    }

    public const int MaxImagesPerChange = 10_000;

    private static IEnumerable<string> Words(string? text) =>
        (text ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
