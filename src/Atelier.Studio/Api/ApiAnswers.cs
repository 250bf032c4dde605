using Atelier.Catalog;

namespace Atelier.Studio.Api;

/// <summary>
/// How a write endpoint answers: JSON for scripts; for a plain form post (no script), a redirect back to the page it came
/// from with a one-line notice. A refusal from a stage is its own one-line message, never a stack trace.
/// </summary>
public static class ApiAnswers
{
    /// <summary>A form posted by a browser without script gets redirects; scripts (JSON, or a form with Accept: application/json) get JSON.</summary>
    public static bool WantsRedirect(HttpRequest request) =>
        request.HasFormContentType && !request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The JSON body, or null for one that is missing, not JSON or not of that shape (answered 400, never 500).</summary>
    public static async Task<T?> ReadJson<T>(HttpRequest request) where T : class
    {
        if (!request.HasJsonContentType()) return null;
        try { return await request.ReadFromJsonAsync<T>(); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>Image ids from form fields holding comma lists; anything that is not an id becomes -1 (refused by the caller).</summary>
    public static List<long> Ids(Microsoft.Extensions.Primitives.StringValues fields) =>
        [.. fields.SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(s => long.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i) ? i : -1)];

    public static IResult Refusal(AtelierException e) => Results.Json(new { error = e.Message, code = e.Code }, statusCode: StatusFor(e.Code));

    public static int StatusFor(string code) => code switch
    {
        "forbidden" => StatusCodes.Status403Forbidden,
        "unknown-image" or "unknown-job" or "unknown-run" => StatusCodes.Status404NotFound,
        "no-worker" => StatusCodes.Status503ServiceUnavailable,
        "stale-rating" => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>A redirect to <paramref name="returnTo"/> if it is a path on this site, else to the grid; with the notice, if any.</summary>
    public static IResult Back(string? returnTo, string? notice)
    {
        var target = IsLocal(returnTo) ? returnTo! : "/";
        if (notice is not null) target += (target.Contains('?') ? "&" : "?") + "notice=" + Uri.EscapeDataString(notice);
        return Results.Redirect(target, permanent: false, preserveMethod: false);
    }

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Contains("://", StringComparison.Ordinal);
}
