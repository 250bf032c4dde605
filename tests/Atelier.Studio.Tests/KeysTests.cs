using Atelier.Catalog;
using Atelier.Governance.Access;

namespace Atelier.Studio.Tests;

public sealed class KeysTests
{
    [Fact]
    public async Task TheGridUsesTheShortcutsTheWorkspaceSets()
    {
        await using var studio = await StudioFixture.StartAsync(images: 2, keys: new StudioKeys { Undo = "u", Select = "x" });
        using var viewer = await studio.SignedIn(Role.Annotator);
        var html = await viewer.GetStringAsync("/", TestContext.Current.CancellationToken);
        Assert.Contains("&quot;undo&quot;:&quot;u&quot;", html);
        Assert.Contains("&quot;select&quot;:&quot;x&quot;", html);
        Assert.Contains("X selects", html);
        Assert.Contains("U undoes", html);
    }

    [Theory]
    [InlineData("studio key 'a' is given to both selectAll and undo in config.json", "a", "Escape")]
    [InlineData("studio key for undo cannot be ArrowUp", "ArrowUp", "Escape")]
    [InlineData("studio key for clearSelection in config.json must be one character", "z", "")]
    public void ClashingOrUnusableKeysAreRefusedWithOneLine(string expected, string undo, string clear)
    {
        var keys = new StudioKeys { Undo = undo, ClearSelection = clear };
        var e = Assert.Throws<AtelierException>(keys.Check);
        Assert.Equal("bad-keys", e.Code);
        Assert.Contains(expected, e.Message);
        new StudioKeys().Check();
    }
}
