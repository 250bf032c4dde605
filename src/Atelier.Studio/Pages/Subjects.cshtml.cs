using Atelier.Catalog;
using Atelier.Governance.Consent;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>
/// Every subject without personal data (admins only), and a new subject recorded from the form: the personal data is
/// sealed at once (as `subject add`), never logged or shown back; the answer names only the opaque id.
/// </summary>
[Authorize(Policy = StudioPolicies.Admin)]
public sealed class SubjectsModel(StudioSession session) : PageModel
{
    public IReadOnlyList<SubjectSummary> Subjects { get; private set; } = [];
    public string? Error { get; private set; }

    public void OnGet() => Subjects = session.Governance.Consent.ListSubjects();

    public IActionResult OnPostAdd(string? legalName, string? otherNames, string? dob, string? idType, string? idIssuer, string? idNumber,
        string? verificationMethod, string? verifier, string? verifiedAt, string? custodian)
    {
        try
        {
            var form = new SubjectForm
            {
                LegalName = legalName, Dob = dob, IdType = idType, IdIssuer = idIssuer, IdNumber = idNumber, VerificationMethod = verificationMethod,
                Verifier = verifier, VerifiedAt = verifiedAt, Custodian = custodian,
                OtherNames = (otherNames ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            var row = session.Governance.Consent.AddSubject(form.ToDetails(DateTimeOffset.UtcNow));
            return Redirect($"/subjects/{row.PublicId}");
        }
        catch (AtelierException e)
        {
            // The stage's reason names the field, never its value; the form is not filled back in.
            Error = e.Message;
            OnGet();
            return Page();
        }
    }
}
