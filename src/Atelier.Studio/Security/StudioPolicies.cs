using System.Security.Claims;
using Atelier.Governance.Access;
using Microsoft.AspNetCore.Authorization;

namespace Atelier.Studio.Security;

/// <summary>
/// One authorization policy per workspace role, each met by that role and the ones above it (as <see cref="Actor.Require"/>
/// checks in the stages). Every endpoint names one of these or is explicitly anonymous; anything else is refused (the
/// fallback policy) and fails a test.
/// </summary>
public static class StudioPolicies
{
    public const string Viewer = "viewer";
    public const string Annotator = "annotator";
    public const string Reviewer = "reviewer";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Annotator, Reviewer, Admin];

    public static void Add(AuthorizationOptions options)
    {
        foreach (var role in Enum.GetValues<Role>())
            options.AddPolicy(role.Name(), policy => policy.RequireAuthenticatedUser().RequireAssertion(c => RoleOf(c.User) >= role));
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireAssertion(_ => false).Build();
    }

    /// <summary>The role a signed-in principal holds (refreshed from the catalog on every request); null when signed out.</summary>
    public static Role? RoleOf(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.FindFirstValue(ClaimTypes.Role) is { } role ? Roles.Parse(role) : null;
}
