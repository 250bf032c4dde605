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
    /// <summary>One (image, tag) link; the tag as category:name (a plain name is general).</summary>
    public sealed record TagLink(long Image, string Tag);
    public sealed record TagLinksRequest(IReadOnlyList<TagLink>? Add, IReadOnlyList<TagLink>? Remove);
    public sealed record RatingsRequest(IReadOnlyList<RatingItem> Changes);
    public sealed record RatingItem(long Id, string? Rating, long Version);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/media/thumbs/{id:long}", Thumbnail).RequireAuthorization(StudioPolicies.Viewer);
        app.MapGet("/api/images", Page).RequireAuthorization(StudioPolicies.Viewer);
        app.MapPost("/api/images/{id:long}/rating", Rate).RequireAuthorization(StudioPolicies.Annotator).AddEndpointFilter<AntiforgeryCheck>();
        app.MapPost("/api/images/tags", Tag).RequireAuthorization(StudioPolicies.Annotator).AddEndpointFilter<AntiforgeryCheck>();
        app.MapPost("/api/images/tag-links", TagLinks).RequireAuthorization(StudioPolicies.Annotator).AddEndpointFilter<AntiforgeryCheck>();
        app.MapPost("/api/images/ratings", RateMany).RequireAuthorization(StudioPolicies.Annotator).AddEndpointFilter<AntiforgeryCheck>();
    }

    public const int MaxPageSize = 1000;

    /// <summary>
    /// A slice of the grid's selection by position (what the scrolling grid asks for as it comes into view): ids, ratings
    /// and rating versions, excluded and quarantined images left out, in id order.
    /// </summary>
    private static IResult Page(StudioSession session, string? where, long offset = 0, int limit = 240)
    {
        if (offset < 0 || limit is < 1 or > MaxPageSize)
            return Results.BadRequest(new { error = $"offset must be 0 or more and limit 1 to {MaxPageSize}", code = "bad-request" });
        Selector selector;
        try { selector = Selector.Parse($"{(string.IsNullOrWhiteSpace(where) ? "all" : where)} excluded:no"); }
        catch (AtelierException e) { return ApiAnswers.Refusal(e); }
        var images = session.Catalog.ListImages(selector, limit, offset);
        return Results.Ok(new { offset, images = images.Select(i => new { id = i.Id, rating = i.Rating ?? "unrated", version = i.RatingVersion }) });
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

    private static async Task<IResult> Rate(long id, HttpRequest request, StudioSession session)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var redirect = ApiAnswers.WantsRedirect(request);
        RatingRequest? body = form is null
            ? await ApiAnswers.ReadJson<RatingRequest>(request)
            : new RatingRequest(form["rating"], long.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1);
        if (body is null) return Results.BadRequest(new { error = "send {\"rating\": ..., \"version\": ...} as JSON, or the page's form", code = "bad-request" });
        var rating = string.IsNullOrWhiteSpace(body.Rating) || body.Rating == "unrated" ? null : body.Rating.Trim().ToLowerInvariant();
        try
        {
            var change = Annotations.RateShown(session.Governance, id, rating, body.Version);
            return !redirect
                ? Results.Ok(new { id, rating = change.Rating ?? "unrated", version = change.Version, changed = change.Applied, previous = change.Previous ?? "unrated" })
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
        var redirect = ApiAnswers.WantsRedirect(request);
        var body = form is null
            ? await ApiAnswers.ReadJson<TagRequest>(request)
            : FromForm(form);
        if (body is null || body.Ids.Count == 0 || body.Ids.Any(i => i < 1))
            return Refuse(redirect, form, "select images first (Space selects the focused one, A all on the page)");
        if ((body.Add?.Count ?? 0) + (body.Remove?.Count ?? 0) == 0)
            return Refuse(redirect, form, "type the tags to add or remove");
        if (body.Ids.Count > MaxImagesPerChange)
            return Refuse(redirect, form, $"at most {MaxImagesPerChange} images in one change");
        try
        {
            var ids = body.Ids.Distinct().ToList();
            var add = (body.Add ?? []).Select(t => Tags.Parse(t)).ToList();
            var change = Annotations.ChangeTags(session.Governance,
                [.. ids.SelectMany(id => add.Select(t => (id, t)))], [.. ids.SelectMany(id => (body.Remove ?? []).Select(t => (id, t)))]);
            return !redirect
                ? Results.Ok(Answer(ids.Count, change))
                : ApiAnswers.Back(form!["returnTo"], $"{change.Added.Count} tag{(change.Added.Count == 1 ? "" : "s")} added, {change.Removed.Count} removed");
        }
        catch (AtelierException e)
        {
            return !redirect ? ApiAnswers.Refusal(e) : ApiAnswers.Back(form!["returnTo"], e.Message);
        }
    }

    /// <summary>Single links added and removed (what an undo sends: exactly the inverse of an earlier answer).</summary>
    private static async Task<IResult> TagLinks(HttpRequest request, StudioSession session)
    {
        var body = await ApiAnswers.ReadJson<TagLinksRequest>(request);
        if (body is null) return Refuse(false, null, "send {\"add\": [{\"image\": ID, \"tag\": \"category:name\"}], \"remove\": [...]} as JSON");
        var count = (body.Add?.Count ?? 0) + (body.Remove?.Count ?? 0);
        if (count == 0) return Refuse(false, null, "no links to change");
        if (count > MaxImagesPerChange) return Refuse(false, null, $"at most {MaxImagesPerChange} links in one change");
        try
        {
            var change = Annotations.ChangeTags(session.Governance,
                [.. (body.Add ?? []).Select(l => (l.Image, Tags.Parse(l.Tag)))], [.. (body.Remove ?? []).Select(l => (l.Image, Tags.Parse(l.Tag).Name))]);
            return Results.Ok(Answer(change.Added.Concat(change.Removed).Select(l => l.Image).Distinct().Count(), change));
        }
        catch (AtelierException e)
        {
            return ApiAnswers.Refusal(e);
        }
    }

    private static object Answer(int images, TagChange change) => new
    {
        images,
        added = change.Added.Count,
        removed = change.Removed.Count,
        addedLinks = change.Added.Select(l => new TagLink(l.Image, $"{l.Tag.Category}:{l.Tag.Name}")),
        removedLinks = change.Removed.Select(l => new TagLink(l.Image, $"{l.Tag.Category}:{l.Tag.Name}")),
    };

    /// <summary>
    /// Ratings of several images, each on the version its page showed: those changed since are refused one by one with
    /// their current value; the others apply. Each answer names the rating replaced (an undo sends it back on the new version).
    /// </summary>
    private static async Task<IResult> RateMany(HttpRequest request, StudioSession session)
    {
        var body = await ApiAnswers.ReadJson<RatingsRequest>(request);
        if (body?.Changes is not { Count: > 0 } changes)
            return Refuse(false, null, "send {\"changes\": [{\"id\": ID, \"rating\": \"general\", \"version\": N}]} as JSON");
        if (changes.Count > MaxImagesPerChange) return Refuse(false, null, $"at most {MaxImagesPerChange} images in one change");
        var results = new List<object>();
        foreach (var c in changes)
        {
            var rating = string.IsNullOrWhiteSpace(c.Rating) || c.Rating == "unrated" ? null : c.Rating.Trim().ToLowerInvariant();
            try
            {
                var change = Annotations.RateShown(session.Governance, c.Id, rating, c.Version);
                results.Add(new { id = c.Id, applied = change.Applied, rating = change.Rating ?? "unrated", version = change.Version, previous = change.Previous ?? "unrated" });
            }
            catch (StaleRatingException e)
            {
                results.Add(new { id = c.Id, applied = false, rating = e.Current.Rating ?? "unrated", version = e.Current.Version, error = e.Message });
            }
            catch (AtelierException e) when (e.Code != "forbidden")
            {
                results.Add(new { id = c.Id, applied = false, error = e.Message });
            }
            catch (AtelierException e)
            {
                return ApiAnswers.Refusal(e);
            }
        }
        return Results.Ok(new { results });
    }

    /// <summary>A form's change: ids as a comma list; with mode=remove (the grid's Remove button) the typed tags are taken off.</summary>
    private static TagRequest FromForm(IFormCollection form)
    {
        var ids = ApiAnswers.Ids(form["ids"]);
        var typed = form["add"].SelectMany(Words).ToList();
        var removing = form["mode"] == "remove";
        return new TagRequest(ids, removing ? [] : typed, [.. form["remove"].SelectMany(Words), .. removing ? typed : []]);
    }

    public const int MaxImagesPerChange = 10_000;

    private static IResult Refuse(bool redirect, IFormCollection? form, string why) =>
        redirect ? ApiAnswers.Back(form!["returnTo"], why) : Results.BadRequest(new { error = why, code = "bad-request" });

    private static IEnumerable<string> Words(string? text) =>
        (text ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
