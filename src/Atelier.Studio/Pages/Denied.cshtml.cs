using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

[AllowAnonymous]
public sealed class DeniedModel : PageModel
{
    public void OnGet() { }
}
