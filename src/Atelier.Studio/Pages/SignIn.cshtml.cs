using Atelier.Studio.Accounts;
using Atelier.Studio.Api;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Atelier.Studio.Pages;

[AllowAnonymous]
[EnableRateLimiting(StudioApp.SignInLimit)]
public sealed class SignInModel(StudioSession session) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? ReturnUrl { get; set; }
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Password { get; set; }
    public string? Error { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        var principal = string.IsNullOrWhiteSpace(Name) || string.IsNullOrEmpty(Password) ? null : StudioSignIn.Check(session, Name.Trim(), Password);
        if (principal is null)
        {
            Error = "That user name and password do not match an enabled user.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(StudioSignIn.Scheme, principal);
        return LocalRedirect(ApiAnswers.IsLocal(ReturnUrl) ? ReturnUrl! : "/");
    }
}
