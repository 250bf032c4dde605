using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>The newest jobs, settled (a job whose worker died shows as failed); reviewers ingest from here.</summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class JobsModel(StudioSession session, IAntiforgery antiforgery) : PageModel
{
    public IReadOnlyList<JobRecord> List { get; private set; } = [];
    public bool MayIngest { get; private set; }
    public string? Token { get; private set; }

    public void OnGet()
    {
        List = new Governance.Jobs.Jobs(session.Governance).List();
        MayIngest = session.Governance.Actor.Role >= Role.Reviewer;
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
    }
}
