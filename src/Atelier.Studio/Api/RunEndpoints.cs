using System.Text;
using Atelier.Catalog;
using Atelier.Studio.Security;

namespace Atelier.Studio.Api;

/// <summary>
/// A run as it trains: its latest sample grid (never of a tainted run), and its progress as server-sent events, one per
/// metrics row, streamed while the run is running and closed when it has ended and nothing more is written.
/// </summary>
public static class RunEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/media/runs/{name}/grid", Grid).RequireAuthorization(StudioPolicies.Viewer);
        app.MapGet("/api/runs/{name}/events", Events).RequireAuthorization(StudioPolicies.Viewer);
    }

    private static IResult Grid(string name, StudioSession session, HttpResponse response)
    {
        var run = session.Catalog.GetRun(name);
        if (run is null || session.Catalog.TaintsOf(TaintKind.Run, run.Id).Count > 0) return Results.NotFound();
        var path = Path.Combine(session.Workspace.RunDirectory(run.Name), Workspace.RunFiles.LatestGrid);
        if (!File.Exists(path)) return Results.NotFound();
        response.Headers.CacheControl = "no-cache";
        return Results.Bytes(File.ReadAllBytes(path), "image/png");
    }

    /// <summary>How often the metrics file is looked at while a run is running.</summary>
    public static TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(1);

    private static async Task Events(string name, StudioSession session, HttpContext context)
    {
        var run = session.Catalog.GetRun(name);
        var jobs = new Governance.Jobs.Jobs(session.Governance);
        // A run asked for from the studio is followed from before its worker makes it.
        var maker = run is null ? jobs.OfRun(name).FirstOrDefault(j => j.Kind == "train") : null;
        if (run is null && maker is not { IsOpen: true })
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        while (run is null)
        {
            maker = jobs.Get(maker!.Id)!;
            run = session.Catalog.GetRun(name);
            if (run is not null) break;
            if (!maker.IsOpen)
            {
                // Its job ended before it made the run (refused by the policy, a name taken meanwhile): say why, and stop.
                var why = System.Text.Json.JsonSerializer.Serialize(new { status = $"{maker.State}: {maker.Message ?? "the run was not made"}" });
                await response.WriteAsync($"event: end\ndata: {why}\n\n", Encoding.UTF8, context.RequestAborted);
                return;
            }
            await response.Body.FlushAsync(context.RequestAborted);
            try { await Task.Delay(Poll, context.RequestAborted); }
            catch (OperationCanceledException) { return; }
        }
        var path = RunProgress.MetricsPath(session.Workspace, run.Name);
        long offset = 0;
        var cancel = context.RequestAborted;
        while (!cancel.IsCancellationRequested)
        {
            var (rows, next) = RunProgress.Read(path, offset);
            offset = next;
            foreach (var row in rows)
                await response.WriteAsync($"event: row\ndata: {row.Json}\n\n", Encoding.UTF8, cancel);
            var status = session.Catalog.GetRun(run.Id)?.Status ?? "gone";
            if (status != RunStatus.Running && rows.Count == 0)
            {
                await response.WriteAsync($"event: end\ndata: {{\"status\":\"{status}\"}}\n\n", Encoding.UTF8, cancel);
                return;
            }
            await response.Body.FlushAsync(cancel);
            try { await Task.Delay(Poll, cancel); }
            catch (OperationCanceledException) { return; }
        }
    }
}
