using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Atelier.Governance.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Atelier.Studio.Accounts;

/// <summary>
/// Sign-in with a workspace user's name and password, into an authentication cookie that holds only the name and role. The
/// role is read again from the catalog on every request, so a changed role or a disabled user takes effect at once; a stamp
/// of the password hash ends every session of a user whose password was changed.
/// </summary>
public static class StudioSignIn
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "atelier-studio";

    /// <summary>The principal for a correct name and password of an enabled user; null otherwise (one answer for every failure).</summary>
    public static ClaimsPrincipal? Check(StudioSession session, string name, string password)
    {
        var hash = session.Catalog.UserPasswordHash(name);
        if (!Passwords.Verify(name, hash, password)) return null;
        return session.Catalog.GetUser(name) is { Disabled: false } user ? Principal(user.Name, Roles.Parse(user.Role), hash!) : null;
    }

    private const string StampClaim = "atelier:password-stamp";

    public static ClaimsPrincipal Principal(string name, Role role, string passwordHash) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.Name()), new Claim(StampClaim, Stamp(passwordHash))],
            Scheme, ClaimTypes.Name, ClaimTypes.Role));

    private static string Stamp(string passwordHash) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash)))[..16];

    public static void Configure(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
        options.LoginPath = "/signin";
        options.AccessDeniedPath = "/denied";
        options.Events.OnValidatePrincipal = Revalidate;
        // Scripts and API clients get a status, not a sign-in page.
        options.Events.OnRedirectToLogin = c => Answer(c, StatusCodes.Status401Unauthorized);
        options.Events.OnRedirectToAccessDenied = c => Answer(c, StatusCodes.Status403Forbidden);
    }

    private static Task Answer(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/media"))
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static async Task Revalidate(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.FindFirstValue(ClaimTypes.Name);
        var session = context.HttpContext.RequestServices.GetRequiredService<StudioSession>();
        var user = name is null ? null : session.Catalog.GetUser(name);
        var hash = user is null ? null : session.Catalog.UserPasswordHash(user.Name);
        if (user is null || hash is null || context.Principal!.FindFirstValue(StampClaim) != Stamp(hash))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        if (context.Principal!.FindFirstValue(ClaimTypes.Role) != user.Role)
        {
            context.ReplacePrincipal(Principal(user.Name, Roles.Parse(user.Role), hash));
            context.ShouldRenew = true;
        }
    }
}
