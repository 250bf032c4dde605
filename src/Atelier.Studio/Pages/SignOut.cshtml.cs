using Atelier.Studio.Accounts;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Index");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(StudioSignIn.Scheme);
        return LocalRedirect("/signin");
    }
}
