using Atelier.Catalog;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>The newest jobs, settled (a job whose worker died shows as failed).</summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class JobsModel(StudioSession session) : PageModel
{
    public IReadOnlyList<JobRecord> List { get; private set; } = [];

    public void OnGet() => List = new Governance.Jobs.Jobs(session.Governance).List();
}
