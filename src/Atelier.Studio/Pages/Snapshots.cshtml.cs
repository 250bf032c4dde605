using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Policy;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>
/// Snapshots with their taints, and a draft (a selector not yet frozen) checked against the policy as `policy check` does;
/// reviewers freeze a checked draft (a job: `dataset create`, which checks the policy again).
/// </summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class SnapshotsModel(StudioSession session, IAntiforgery antiforgery) : PageModel
{
    public bool MayFreeze { get; private set; }
    public string? Token { get; private set; }
    [BindProperty(SupportsGet = true)] public string? Draft { get; set; }
    public IReadOnlyList<(SnapshotRecord Snapshot, int Taints)> Snapshots { get; private set; } = [];
    public PolicyReport? Report { get; private set; }
    public string? Error { get; private set; }

    public void OnGet()
    {
        var catalog = session.Catalog;
        Snapshots = [.. catalog.ListSnapshots().Select(s => (s, catalog.TaintsOf(TaintKind.Snapshot, s.Id).Count))];
        MayFreeze = session.Governance.Actor.Role >= Role.Reviewer;
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
        if (string.IsNullOrWhiteSpace(Draft)) return;
        try
        {
            var ids = catalog.SelectIds(Selector.Parse(Draft.Trim() + " excluded:no"));
            if (ids.Count == 0) throw new AtelierException("no-images", $"no images match '{Draft.Trim()}' (excluded images are left out)");
            Report = PolicyGate.Evaluate(session.Governance, PolicyStage.Check, ids);
        }
        catch (AtelierException e)
        {
            Error = e.Message;
        }
    }
}
