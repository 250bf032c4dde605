using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Lineage;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>One image: its rating (with the version it was shown at), tags, facts, near duplicates and provenance.</summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class ImageModel(StudioSession session, IAntiforgery antiforgery, SimilarImagesCache similar) : PageModel
{
    public static readonly string[] RatingChoices = ["unrated", .. Selector.Ratings];

    public ImageDetails? Details { get; private set; }
    public bool CanAnnotate { get; private set; }
    public string? Token { get; private set; }
    /// <summary>What was built on this image (snapshots, runs, checkpoints, samples) with their taints, as `atelier lineage` shows it.</summary>
    public IReadOnlyList<LineageNode> Downstream { get; private set; } = [];

    public const int SimilarShown = 12;
    public string? FeatureNetwork { get; private set; }
    public IReadOnlyList<SimilarImage>? Similar { get; private set; }
    public bool CanComputeFeatures { get; private set; }

    public IActionResult OnGet(long id)
    {
        Details = session.Catalog.GetDetails(id);
        // An excluded image is as absent as a quarantined one: no page, no thumbnail.
        if (Details is null || Details.Image.Excluded) return NotFound();
        CanAnnotate = StudioPolicies.RoleOf(User) >= Role.Annotator;
        Downstream = [.. LineageGraph.Of(session.Catalog, $"image:{id}").Nodes.Where(n => n.Kind != "image")];
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
        // "More like this" by the feature network most images have vectors under (the evaluation's ResNet18 unless told otherwise).
        FeatureNetwork = session.Catalog.FeatureNetworks().OrderByDescending(kv => kv.Value).Select(kv => kv.Key).FirstOrDefault();
        Similar = FeatureNetwork is null ? null : similar.Nearest(session.Catalog, FeatureNetwork, id, SimilarShown);
        CanComputeFeatures = StudioPolicies.RoleOf(User) >= Role.Reviewer;
        return Page();
    }
}
