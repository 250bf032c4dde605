using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Governance.Policy;
using Atelier.Governance.Access;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>
/// One snapshot: its record verified against its manifest (as `dataset show`), the policy evaluated on it now, taints
/// included, and the exports asked for from the studio.
/// </summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class SnapshotModel(StudioSession session, IAntiforgery antiforgery) : PageModel
{
    public bool MayExport { get; private set; }
    public string? Token { get; private set; }
    public SnapshotRecord? Record { get; private set; }
    public string FrozenPolicy { get; private set; } = "";
    public IReadOnlyDictionary<string, int> Ratings { get; private set; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, int> TopTags { get; private set; } = new Dictionary<string, int>();
    public PolicyReport? Report { get; private set; }
    public IReadOnlyList<JobRecord> Exports { get; private set; } = [];

    public IActionResult OnGet(string name)
    {
        if (session.Catalog.GetSnapshot(name) is null) return NotFound();
        var (record, manifest) = Snapshots.Load(session.Workspace, name);
        Record = record;
        var meta = manifest.Metadata;
        FrozenPolicy = meta.TryGetValue(Snapshots.PolicySha256Key, out var sha)
            ? $"{meta.GetValueOrDefault(Snapshots.PolicyNameKey)} revision {meta.GetValueOrDefault(Snapshots.PolicyRevisionKey)} (sha256 {sha[..Math.Min(12, sha.Length)]})"
            : "no policy recorded";
        Ratings = manifest.Items.GroupBy(i => i.Rating ?? "unrated").OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());
        TopTags = manifest.Items.SelectMany(i => i.Tags).GroupBy(t => $"{t.Category}:{t.Name}").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(12).ToDictionary(g => g.Key, g => g.Count());
        Report = PolicyGate.EvaluateSnapshot(session.Governance, record, PolicyStage.Check);
        Exports = new Governance.Jobs.Jobs(session.Governance).ExportsOf(name);
        MayExport = session.Governance.Actor.Role >= Role.Reviewer;
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
        return Page();
    }
}
