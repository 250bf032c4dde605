using Microsoft.AspNetCore.Antiforgery;

namespace Atelier.Studio.Security;

/// <summary>
/// Refuses a write without the anti-forgery token of the signed-in session (a form field, or the header scripts send), so
/// that another site cannot make a signed-in browser change the catalog. Razor Pages check their own forms.
/// </summary>
public sealed class AntiforgeryCheck(IAntiforgery antiforgery) : IEndpointFilter
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context.HttpContext);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Json(new { error = "this request lacks the page's anti-forgery token: reload the page and try again", code = "antiforgery" },
                statusCode: StatusCodes.Status400BadRequest);
        }
        return await next(context);
    }
}
