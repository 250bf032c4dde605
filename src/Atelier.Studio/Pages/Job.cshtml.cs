using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Studio.Jobs;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>One job: what was asked and by whom, its state and log (followed live), and what it produced.</summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class JobModel(StudioSession session, IAntiforgery antiforgery) : PageModel
{
    public JobRecord? Record { get; private set; }
    public IReadOnlyList<string> Log { get; private set; } = [];
    public bool MayStop { get; private set; }
    public string? Folder { get; private set; }
    public string? Token { get; private set; }
    public string? Answer { get; private set; }
    public IReadOnlyDictionary<string, JobOutcome.Verified> Verified { get; private set; } = new Dictionary<string, JobOutcome.Verified>();

    public IActionResult OnGet(long id)
    {
        var governance = session.Governance;
        Record = new Governance.Jobs.Jobs(governance).Get(id);
        if (Record is null) return NotFound();
        Log = JobOutcome.LogTail(session.Workspace, id);
        MayStop = Record.User == governance.Actor.Name || governance.Actor.Role >= Role.Admin;
        var folder = session.Workspace.JobDirectory(id);
        Folder = Directory.Exists(folder) ? folder : null;
        Verified = JobOutcome.Verifications(session.Workspace, [Record]);
        // The command's own --json answer (scores, counts, paths), as the CLI would print it; shown as text, never as markup.
        Answer = JobOutcome.Result(session.Workspace, id) is { } result
            ? System.Text.Json.JsonSerializer.Serialize(result, new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            : null;
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
        return Page();
    }
}
