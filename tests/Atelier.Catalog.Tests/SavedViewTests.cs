using Atelier.TestSupport;

namespace Atelier.Catalog.Tests;

public sealed class SavedViewTests
{
    [Fact]
    public void ViewsAreEachUsersOwnReplacedByNameAndMustParse()
    {
        using var t = new TempWorkspace();
        t.Catalog.SaveView("ann", "to rate", "rating:unrated");
        t.Catalog.SaveView("ann", "flat", "tag:flat");
        t.Catalog.SaveView("bob", "to rate", "all");
        t.Catalog.SaveView("ann", "to rate", "rating:unrated -flag:blurry");
        Assert.Equal([("flat", "tag:flat"), ("to rate", "rating:unrated -flag:blurry")], t.Catalog.ListViews("ann").Select(v => (v.Name, v.Selector)));
        Assert.Equal("all", Assert.Single(t.Catalog.ListViews("bob")).Selector);
        Assert.Equal("bad-selector", Assert.Throws<AtelierException>(() => t.Catalog.SaveView("ann", "bad", "width>>1")).Code);
        Assert.Equal("bad-view", Assert.Throws<AtelierException>(() => t.Catalog.SaveView("ann", " ", "all")).Code);
        Assert.True(t.Catalog.DeleteView("ann", "flat"));
        Assert.False(t.Catalog.DeleteView("ann", "flat"));
        Assert.Single(t.Catalog.ListViews("ann"));
    }
}
