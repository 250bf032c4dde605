using System.Net;
using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.TestSupport;

namespace Atelier.Studio.Tests;

/// <summary>A run's pages over what a trainer writes: the catalog row, metrics.jsonl rows, the latest grid.</summary>
public sealed class RunPagesTests : IAsyncLifetime
{
    private StudioFixture _studio = null!;
    private RunRecord _run = null!;
    private string _metrics = "";

    public async ValueTask InitializeAsync()
    {
        _studio = await StudioFixture.StartAsync(images: 3);
        var owner = GovernanceSession.For(_studio.Temp.Workspace);
        Annotations.Rate(owner, Selector.All, "general");
        var (snapshot, _, _) = Snapshots.Create(_studio.Temp.Workspace, "set", null);
        _run = _studio.Temp.Catalog.AddRun("r1", snapshot, "dcgan", "{}", "test");
        var folder = _studio.Temp.Workspace.RunDirectory("r1");
        Directory.CreateDirectory(folder);
        _metrics = Path.Combine(folder, Workspace.RunFiles.Metrics);
        File.WriteAllLines(_metrics, [Row(0.25, 1.2, 0.8), Row(0.5, 1.1, 0.9), Row(0.75, 1.0, 1.1)]);
        File.WriteAllBytes(Path.Combine(folder, Workspace.RunFiles.LatestGrid), Repo.Png());
    }

    private static string Row(double kimg, double d, double g) => System.FormattableString.Invariant(
        $"{{\"images\":{kimg * 1000},\"kimg\":{kimg},\"loss/D\":{d},\"loss/G\":{g},\"cost/kwh\":0.0001,\"time/run_seconds\":{kimg * 40}}}");

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARunShowsItsProgressLossCurvesAndLatestGrid()
    {
        using var viewer = await _studio.SignedIn(Role.Viewer);
        Assert.Contains("<a href=\"/runs/r1\">r1</a>", await viewer.GetStringAsync("/runs", Cancel));
        var page = await viewer.GetStringAsync("/runs/r1", Cancel);
        Assert.Contains("kimg 0.75  D 1.000  G 1.100", page);
        Assert.Contains("<polyline class=\"d\" points=\"56.0,", page);
        Assert.Contains("<text class=\"key d\"", page);
        Assert.Contains("data-events=\"/api/runs/r1/events\"", page);
        var grid = await viewer.GetAsync("/media/runs/r1/grid", Cancel);
        Assert.Equal(HttpStatusCode.OK, grid.StatusCode);
        Assert.Equal(Repo.Png(), await grid.Content.ReadAsByteArrayAsync(Cancel));
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/runs/nope", Cancel)).StatusCode);
    }

    [Fact]
    public async Task ProgressStreamsAsTheTrainerWritesAndEndsWithTheRun()
    {
        using var viewer = await _studio.SignedIn(Role.Viewer);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        bounded.CancelAfter(TimeSpan.FromMinutes(2));
        using var events = await EventStream.OpenAsync(viewer, "/api/runs/r1/events", bounded.Token);
        var Next = events.Next;
        foreach (var kimg in new[] { "0.25", "0.5", "0.75" })
        {
            var (e, data) = await Next();
            Assert.Equal("row", e);
            Assert.Contains($"\"kimg\":{kimg},", data);
        }
        // The trainer appends a row (first half of the line, then the rest): only the whole row is sent.
        await using (var append = new FileStream(_metrics, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(Row(1.0, 0.9, 1.2) + "\n");
            await append.WriteAsync(bytes.AsMemory(0, 10), bounded.Token);
            await append.FlushAsync(bounded.Token);
            await append.WriteAsync(bytes.AsMemory(10), bounded.Token);
        }
        var (name, row) = await Next();
        Assert.Equal(("row", true), (name, row.Contains("\"kimg\":1,", StringComparison.Ordinal)));
        _studio.Temp.Catalog.UpdateRun(_run.Id, RunStatus.Finished, 1000);
        Assert.Equal(("end", "{\"status\":\"finished\"}"), await Next());
    }

    [Fact]
    public async Task AnEvaluatedRunShowsItsScoreOverTraining()
    {
        using var viewer = await _studio.SignedIn(Role.Viewer);
        Assert.DoesNotContain("<svg class=\"score\"", await viewer.GetStringAsync("/runs/r1", Cancel));
        File.AppendAllLines(_metrics, [
            System.FormattableString.Invariant($"{{\"kimg\":1.0,\"loss/D\":0.9,\"loss/G\":1.2,\"score/fd_resnet18\":40.5}}"),
            System.FormattableString.Invariant($"{{\"kimg\":2.0,\"loss/D\":0.8,\"loss/G\":1.3,\"score/fd_resnet18\":30.25}}"),
        ]);
        var page = await viewer.GetStringAsync("/runs/r1", Cancel);
        Assert.Contains("<svg class=\"score\"", page);
        Assert.Contains("Score (FD, lower is better) from 1.00 to 2.00 kimg, 30.25 to 40.50", page);
        // The higher score at 1 kimg is drawn at the top (y 10), the lower at 2 kimg at the bottom of the plot (y 136),
        // with the range written at the axes.
        Assert.Contains("<polyline class=\"score\" points=\"56.0,10.0 630.0,136.0\"/>", page);
        Assert.Contains(">40.5</text>", page);
        Assert.Contains(">30.25</text>", page);
        Assert.Contains(">1 kimg</text>", page);
        Assert.Contains(">2 kimg</text>", page);
    }

    [Fact]
    public async Task ATaintedRunsGridIsNotShown()
    {
        _studio.Temp.Catalog.TaintDownstream([_studio.ImageIds[0]], "consent-revoked", "7", "consent 7 was revoked");
        using var viewer = await _studio.SignedIn(Role.Viewer);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("/media/runs/r1/grid", Cancel)).StatusCode);
        var page = await viewer.GetStringAsync("/runs/r1", Cancel);
        Assert.Contains("consent 7 was revoked", page);
        Assert.DoesNotContain("/media/runs/r1/grid", page);
    }
}
