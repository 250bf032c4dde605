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
    public int? Linked { get; private set; }
    public ConsentRow? Granted { get; private set; }

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

    /// <summary>A signed release larger than this is refused (scans of a few pages are far smaller).</summary>
    public const long MaxDocumentBytes = 32L << 20;

    public IActionResult OnPostLink(string id, string? images, string? captured)
    {
        if (!Load(id)) return NotFound();
        try
        {
            var at = string.IsNullOrWhiteSpace(captured) ? (DateTimeOffset?)null
                : SubjectForm.ParseTime(captured.Trim()) ?? throw new AtelierException("bad-date", "the capture date is not a date (YYYY-MM-DD) or an ISO 8601 time");
            Linked = Ledger.Link(id, Selector.Parse(images ?? ""), at);
            Load(id);
        }
        catch (AtelierException e)
        {
            Error = e.Message;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostGrantAsync(string id, string[]? scope, string? images, string? expires, IFormFile? document)
    {
        if (!Load(id)) return NotFound();
        try
        {
            if (document is null || document.Length == 0) throw new AtelierException("no-document", "attach the signed release");
            if (document.Length > MaxDocumentBytes) throw new AtelierException("too-large", $"the signed release is larger than {MaxDocumentBytes >> 20} MB");
            var until = string.IsNullOrWhiteSpace(expires) ? (DateTimeOffset?)null
                : SubjectForm.ParseTime(expires.Trim()) ?? throw new AtelierException("bad-date", "the expiry is not a date (YYYY-MM-DD) or an ISO 8601 time");
            using var bytes = new MemoryStream();
            await document.CopyToAsync(bytes, HttpContext.RequestAborted);
            Granted = Ledger.Grant(id, scope ?? [], Selector.Parse(images ?? ""), until, bytes.ToArray(), document.FileName);
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
