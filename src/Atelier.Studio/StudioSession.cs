using System.Security.Claims;
using Atelier.Catalog;
using Atelier.Governance;

namespace Atelier.Studio;

/// <summary>The workspace a studio serves, the environment its key ring is read with, and the grid's shortcuts (one per server).</summary>
public sealed record StudioWorkspace(string Path, Func<string, string?> Environment, StudioKeys Keys);

/// <summary>
/// One request's view of the workspace: its own catalog connection (taken from the process's pool and given back, so that a
/// request does not parse the schema again), and governance acting as the signed-in user (their role as the catalog holds it
/// now), so that every check and audit entry is the stages' own, exactly as from the CLI. Opened on first use, closed with the request.
/// </summary>
public sealed class StudioSession(StudioWorkspace studio, IHttpContextAccessor http) : IDisposable
{
    private Workspace? _workspace;
    private GovernanceSession? _governance;

    /// <summary>The workspace, without an actor (sign-in reads users through it).</summary>
    public Workspace Workspace => _workspace ??= Workspace.Open(studio.Path, pooled: true);

    public Catalog.Catalog Catalog => Workspace.Catalog;

    /// <summary>Governance acting as the signed-in user; refused when nobody is signed in.</summary>
    public GovernanceSession Governance => _governance ??= GovernanceSession.OpenAs(Workspace, studio.Environment, UserName
        ?? throw new AtelierException("signed-out", "sign in first"));

    public string? UserName => http.HttpContext?.User.Identity?.IsAuthenticated == true ? http.HttpContext.User.FindFirstValue(ClaimTypes.Name) : null;

    public void Dispose() => _workspace?.Dispose();
}
