using Atelier.Catalog;
using Atelier.Studio.Security;

namespace Atelier.Studio.Api;

/// <summary>Saved views: each signed-in user's own named grid filters.</summary>
public static class ViewEndpoints
{
    public sealed record ViewRequest(string? Name, string? Where);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/views", Save).RequireAuthorization(StudioPolicies.Viewer).AddEndpointFilter<AntiforgeryCheck>();
        app.MapPost("/api/views/delete", Delete).RequireAuthorization(StudioPolicies.Viewer).AddEndpointFilter<AntiforgeryCheck>();
    }

    private static async Task<(ViewRequest? Body, IFormCollection? Form)> Read(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            return (new ViewRequest(form["name"], form["where"]), form);
        }
        return (await ApiAnswers.ReadJson<ViewRequest>(request), null);
    }

    private static IResult Answer(IFormCollection? form, HttpRequest request, string text, object json, int status = StatusCodes.Status200OK) =>
        form is not null && ApiAnswers.WantsRedirect(request)
            ? ApiAnswers.Back(form["returnTo"], text)
            : Results.Json(json, statusCode: status);

    private static async Task<IResult> Save(HttpRequest request, StudioSession session)
    {
        var (body, form) = await Read(request);
        if (body?.Name is null) return Answer(form, request, "name the view", new { error = "name the view", code = "bad-request" }, StatusCodes.Status400BadRequest);
        try
        {
            var view = session.Catalog.SaveView(session.UserName!, body.Name, string.IsNullOrWhiteSpace(body.Where) ? "all" : body.Where);
            return Answer(form, request, $"Saved the view {view.Name}", new { name = view.Name, where = view.Selector });
        }
        catch (AtelierException e)
        {
            return Answer(form, request, e.Message, new { error = e.Message, code = e.Code }, StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<IResult> Delete(HttpRequest request, StudioSession session)
    {
        var (body, form) = await Read(request);
        var deleted = body?.Name is { } name && session.Catalog.DeleteView(session.UserName!, name);
        return deleted
            ? Answer(form, request, $"Deleted the view {body!.Name}", new { name = body.Name })
            : Answer(form, request, "no such view", new { error = "no such view", code = "unknown-view" }, StatusCodes.Status404NotFound);
    }
}
