using Atelier.Catalog;
using Atelier.Governance.Consent;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>
/// One subject (admins only): links and consents; personal data opened on request for this response only (audited by the
/// ledger, never cached: every answer is no-store); revoking a consent says what it tainted.
/// </summary>
[Authorize(Policy = StudioPolicies.Admin)]
public sealed class SubjectModel(StudioSession session) : PageModel
{
    public SubjectView? View { get; private set; }
    public SubjectDetails? Details { get; private set; }
    public ConsentRevocation? Revoked { get; private set; }
    public string? Error { get; private set; }

    private ConsentLedger Ledger => session.Governance.Consent;

    public IActionResult OnGet(string id) => Load(id) ? Page() : NotFound();

    public IActionResult OnPostReveal(string id)
    {
        if (!Load(id)) return NotFound();
        Details = Ledger.Reveal(id);
        return Page();
    }

    public IActionResult OnPostRevoke(string id, long consent, string? reason)
    {
        if (!Load(id)) return NotFound();
        try
        {
            if (View!.Consents.All(c => c.ConsentId != consent)) throw new AtelierException("unknown-consent", $"consent {consent} is not this subject's");
            Revoked = Ledger.Revoke(consent, reason ?? "");
            Load(id);
        }
        catch (AtelierException e)
        {
            Error = e.Message;
        }
        return Page();
    }

    private bool Load(string id)
    {
        try
        {
            View = Ledger.Describe(id);
            return true;
        }
        catch (AtelierException e) when (e.Code == "unknown-subject")
        {
            return false;
        }
    }
}
