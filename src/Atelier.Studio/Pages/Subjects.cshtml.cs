using Atelier.Governance.Consent;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>Every subject without personal data (admins only).</summary>
[Authorize(Policy = StudioPolicies.Admin)]
public sealed class SubjectsModel(StudioSession session) : PageModel
{
    public IReadOnlyList<SubjectSummary> Subjects { get; private set; } = [];

    public void OnGet() => Subjects = session.Governance.Consent.ListSubjects();
}
