using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>Every run with its status, length, and the energy and money its sessions recorded so far; reviewers start new ones here.</summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class RunsModel(StudioSession session, IAntiforgery antiforgery) : PageModel
{
    public bool MayTrain { get; private set; }
    public IReadOnlyList<string> Snapshots { get; private set; } = [];
    public string Currency { get; private set; } = "";
    public string? Token { get; private set; }

    public sealed record RunLine(RunRecord Run, bool Tainted, double Kwh, double Money, string Currency);

    public IReadOnlyList<RunLine> Runs { get; private set; } = [];

    public void OnGet()
    {
        var catalog = session.Catalog;
        var currency = Currency = session.Workspace.Config.Cost.Currency;
        MayTrain = session.Governance.Actor.Role >= Role.Reviewer;
        Snapshots = [.. catalog.ListSnapshots().Select(s => s.Name)];
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
        Runs = [.. catalog.ListRuns().OrderByDescending(r => r.UpdatedAt).Select(r =>
        {
            var energy = catalog.ListEnergy(r.Id);
            return new RunLine(r, catalog.TaintsOf(TaintKind.Run, r.Id).Count > 0, energy.Sum(e => e.Kwh), energy.Sum(e => e.Money), currency);
        })];
    }
}
