using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Studio.Accounts;
using Atelier.TestSupport;

namespace Atelier.Studio.Tests;

/// <summary>
/// A bounded load on loopback: many annotators tagging, untagging and rating the same few images at once, a fixed number
/// of requests each. Afterwards every acknowledged write is in the catalog and the audit log verifies. (The 60-second,
/// 50-annotator run with latencies is bench/Atelier.Bench.Studio.)
/// </summary>
public sealed class LoadTests : IAsyncLifetime
{
    private StudioFixture _studio = null!;

    public async ValueTask InitializeAsync() => _studio = await StudioFixture.StartAsync(images: 8);

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    [Fact]
    public async Task TwentyAnnotatorsAtOnceLoseNothingAndTheAuditLogVerifies()
    {
        var owner = GovernanceSession.For(_studio.Temp.Workspace);
        var annotators = Enumerable.Range(0, 20).Select(i => new Annotator($"load-{i}", "load password " + i)).ToList();
        foreach (var a in annotators)
        {
            UserAdministration.Add(owner, a.Name, Role.Annotator);
            UserAdministration.SetPassword(owner, a.Name, Passwords.Hash(a.Name, a.Password));
        }
        var result = await AnnotatorLoad.RunAsync(_studio.Address, annotators, _studio.ImageIds, seed: 7, operations: 25, TimeSpan.Zero,
            TestContext.Current.CancellationToken);

        Assert.Equal(20 * 25, result.Requests.Count);
        Assert.True(result.Failures == 0, string.Join("\n", result.FailureSamples));
        Assert.Equal(result.Requests.Count, result.AcknowledgedWrites + result.Conflicts);
        // With 20 people on 8 images, someone rates an image another has just rated: those are refused, never lost.
        Assert.True(result.Conflicts > 0, "no rating conflicts arose, so optimistic concurrency was not exercised");
        Assert.True(result.RatingsExpected.Count > 0);
        Assert.Empty(result.Lost(_studio.Temp.Catalog));
        var audit = GovernanceSession.For(_studio.Temp.Workspace).Audit.Verify();
        Assert.True(audit.Intact, audit.Problem);
        Assert.Equal(result.RatingsExpected.Values.Sum(v => v.Version), _studio.Temp.Catalog.AllAuditEntries().Count(e => e.Action == "rate"));
    }
}
