using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Studio.Security;

namespace Atelier.Studio.Api;

/// <summary>Review queues' writes: resolving a near-duplicate cluster (keep one, exclude the others).</summary>
public static class ReviewEndpoints
{
    public sealed record ResolveRequest(long Keep, IReadOnlyList<long> Exclude);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/review/duplicates", Resolve).RequireAuthorization(StudioPolicies.Reviewer).AddEndpointFilter<AntiforgeryCheck>();

    private static async Task<IResult> Resolve(HttpRequest request, StudioSession session)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var redirect = ApiAnswers.WantsRedirect(request);
        ResolveRequest? body;
        if (form is not null)
        {
            body = long.TryParse(form["keep"], NumberStyles.None, CultureInfo.InvariantCulture, out var keep)
                ? new ResolveRequest(keep, ApiAnswers.Ids(form["cluster"]))
                : null;
        }
        else
            body = await ApiAnswers.ReadJson<ResolveRequest>(request);
        IResult Answer(string text, int status = StatusCodes.Status200OK, object? json = null) =>
            redirect ? ApiAnswers.Back(form!["returnTo"], text) : Results.Json(json ?? new { error = text }, statusCode: status);
        if (body is null || body.Exclude is null || body.Exclude.Any(i => i < 1))
            return Answer("choose the image to keep", StatusCodes.Status400BadRequest);
        // Only copies in the kept image's cluster, as the catalog holds it now, may be excluded this way.
        var cluster = session.Catalog.NearDuplicateClusters().FirstOrDefault(c => c.ImageIds.Contains(body.Keep));
        if (cluster is null || body.Exclude.Any(id => id != body.Keep && !cluster.ImageIds.Contains(id)))
            return Answer($"image {body.Keep} and those copies are not one near-duplicate cluster", StatusCodes.Status400BadRequest);
        try
        {
            var outcome = Annotations.KeepOneOfDuplicates(session.Governance, body.Keep, body.Exclude);
            return Answer($"Kept image {body.Keep}; excluded {outcome.Changed} cop{(outcome.Changed == 1 ? "y" : "ies")}",
                json: new { keep = body.Keep, excluded = outcome.Changed });
        }
        catch (AtelierException e)
        {
            return redirect ? ApiAnswers.Back(form!["returnTo"], e.Message)
                : Results.Json(new { error = e.Message, code = e.Code }, statusCode: e.Code == "stale-cluster" ? StatusCodes.Status409Conflict : ApiAnswers.StatusFor(e.Code));
        }
    }
}
