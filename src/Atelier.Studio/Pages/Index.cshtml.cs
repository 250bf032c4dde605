using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>The dataset grid: the selection the filter names (the CLI's selector syntax), excluded images left out, by pages of ids.</summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class IndexModel(StudioSession session, IAntiforgery antiforgery, StudioWorkspace studio) : PageModel
{
    public const int PageSize = 120;

    [BindProperty(SupportsGet = true)] public string? Where { get; set; }
    [BindProperty(SupportsGet = true)] public long After { get; set; }

    public IReadOnlyList<ImageRecord> Images { get; private set; } = [];
    public IReadOnlyList<SavedView> Views { get; private set; } = [];
    public long Total { get; private set; }
    public long Excluded { get; private set; }
    public long? NextAfter { get; private set; }
    public string? Error { get; private set; }
    public bool CanAnnotate { get; private set; }

    /// <summary>The shortcuts as this workspace sets them (config.json, studio.keys).</summary>
    public string KeyHelp
    {
        get
        {
            var k = studio.Keys;
            static string Name(string key) => key == " " ? "Space" : key.Length == 1 ? key.ToUpperInvariant() : key;
            return $"Keys: arrows move, Enter opens, {Name(k.Select)} selects, {Name(k.SelectAll)} all, {Name(k.ClearSelection)} none, " +
                   $"{Name(k.Tags)} tags, {Name(k.RateGeneral)}–{Name(k.RateExplicit)} rate general to explicit, {Name(k.RateUnrated)} unrated, {Name(k.Undo)} undoes";
        }
    }
    public string? Token { get; private set; }

    public void OnGet()
    {
        CanAnnotate = StudioPolicies.RoleOf(User) >= Role.Annotator;
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
        Views = session.Catalog.ListViews(session.UserName!);
        var text = string.IsNullOrWhiteSpace(Where) ? "all" : Where.Trim();
        Selector selector, shown;
        try
        {
            selector = Selector.Parse(text);
            shown = Selector.Parse($"{text} excluded:no");
        }
        catch (AtelierException e)
        {
            Error = e.Message;
            return;
        }
        var catalog = session.Catalog;
        Total = catalog.Count(shown);
        Excluded = catalog.Count(selector) - Total;
        Images = catalog.ListImagesAfter(shown, Math.Max(0, After), PageSize + 1);
        if (Images.Count > PageSize)
        {
            Images = Images.Take(PageSize).ToList();
            NextAfter = Images[^1].Id;
        }
    }
}
