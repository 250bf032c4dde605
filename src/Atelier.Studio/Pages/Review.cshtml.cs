using Atelier.Catalog;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>Review queues: unrated and flagged images (links into the grid) and near-duplicate clusters still to resolve.</summary>
[Authorize(Policy = StudioPolicies.Reviewer)]
public sealed class ReviewModel(StudioSession session, IAntiforgery antiforgery) : PageModel
{
    public const int ClustersShown = 20;

    public sealed record Cluster(IReadOnlyList<ImageRecord> Images, int MaxDistance);

    public long Unrated { get; private set; }
    public IReadOnlyList<(string Flag, long Count)> Flags { get; private set; } = [];
    public IReadOnlyList<Cluster> Clusters { get; private set; } = [];
    public string? Token { get; private set; }

    public void OnGet()
    {
        var catalog = session.Catalog;
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
        Unrated = catalog.Count(Selector.Parse("rating:unrated excluded:no"));
        Flags = [.. catalog.FlagCounts().Select(kv => (kv.Key, kv.Value))];
        // A cluster is resolved once at most one of its images is left (the others excluded or quarantined).
        Clusters = [.. catalog.NearDuplicateClusters()
            .Select(c => new Cluster([.. c.ImageIds.Select(catalog.GetImage).OfType<ImageRecord>().Where(i => !i.Excluded)], c.MaxDistance))
            .Where(c => c.Images.Count >= 2)];
    }
}
