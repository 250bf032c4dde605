using Atelier.Catalog;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>Every run with its status, length, and the energy and money its sessions recorded so far.</summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class RunsModel(StudioSession session) : PageModel
{
    public sealed record RunLine(RunRecord Run, bool Tainted, double Kwh, double Money, string Currency);

    public IReadOnlyList<RunLine> Runs { get; private set; } = [];

    public void OnGet()
    {
        var catalog = session.Catalog;
        var currency = session.Workspace.Config.Cost.Currency;
        Runs = [.. catalog.ListRuns().OrderByDescending(r => r.UpdatedAt).Select(r =>
        {
            var energy = catalog.ListEnergy(r.Id);
            return new RunLine(r, catalog.TaintsOf(TaintKind.Run, r.Id).Count > 0, energy.Sum(e => e.Kwh), energy.Sum(e => e.Money), currency);
        })];
    }
}
