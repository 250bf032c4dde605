using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance.Jobs;
using Atelier.Imaging;
using Atelier.Studio.Jobs;
using Atelier.Studio.Security;

namespace Atelier.Studio.Api;

/// <summary>
/// Long work from the studio: ask for a job (train, resume, sample, verify, export; the stage's own role check decides who
/// may), stop one, and follow one as server-sent events (its state and its log). Samples are served unless their run is tainted.
/// </summary>
public static class JobEndpoints
{
    /// <summary>How often a followed job's state and log are looked at.</summary>
    public static TimeSpan Poll { get; set; } = TimeSpan.FromMilliseconds(500);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/api/jobs", Submit).RequireAuthorization(StudioPolicies.Viewer).AddEndpointFilter<AntiforgeryCheck>();
        app.MapPost("/api/jobs/{id:long}/stop", Stop).RequireAuthorization(StudioPolicies.Viewer).AddEndpointFilter<AntiforgeryCheck>();
        app.MapGet("/api/jobs/{id:long}/events", Events).RequireAuthorization(StudioPolicies.Viewer);
        app.MapGet("/media/samples/{id:long}", Sample).RequireAuthorization(StudioPolicies.Viewer);
    }

    private static async Task<(Dictionary<string, string>? Fields, IFormCollection? Form)> Read(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            return (form.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()), form);
        }
        return (await ApiAnswers.ReadJson<Dictionary<string, string>>(request), null);
    }

    private static IResult Refused(IFormCollection? form, HttpRequest request, AtelierException e) =>
        form is not null && ApiAnswers.WantsRedirect(request) ? ApiAnswers.Back(form["returnTo"], e.Message) : ApiAnswers.Refusal(e);

    private static async Task<IResult> Submit(HttpRequest request, StudioSession session, WorkerLauncher launcher, ILogger<WorkerLauncher> log)
    {
        var (fields, form) = await Read(request);
        if (fields is null) return ApiAnswers.Refusal(new AtelierException("bad-request", "send the job as a form or a JSON object of fields"));
        try
        {
            _ = launcher.Worker;
            var asked = JobForms.Build(fields, session.Catalog);
            var job = new Governance.Jobs.Jobs(session.Governance).Submit(asked.Kind, asked.Args, asked.Run);
            try
            {
                launcher.Start(job, log);
            }
            catch (AtelierException e)
            {
                session.Catalog.EndJob(job.Id, JobState.Queued, JobState.Failed, null, e.Message);
                throw;
            }
            var page = $"/jobs/{job.Id}";
            return form is not null && ApiAnswers.WantsRedirect(request)
                ? Results.Redirect(page)
                : Results.Json(new { id = job.Id, kind = job.Kind, state = job.State, run = job.Run, page });
        }
        catch (AtelierException e)
        {
            return Refused(form, request, e);
        }
    }

    private static async Task<IResult> Stop(long id, HttpRequest request, StudioSession session)
    {
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        try
        {
            var job = new Governance.Jobs.Jobs(session.Governance).Stop(id);
            return form is not null && ApiAnswers.WantsRedirect(request)
                ? ApiAnswers.Back(form["returnTo"].ToString() is { Length: > 0 } back ? back : $"/jobs/{id}", $"Asked job {id} to stop")
                : Results.Json(new { id, state = job.State, stopRequested = true });
        }
        catch (AtelierException e)
        {
            return Refused(form, request, e);
        }
    }

    private static async Task Events(long id, StudioSession session, HttpContext context)
    {
        var jobs = new Governance.Jobs.Jobs(session.Governance);
        var job = jobs.Get(id);
        if (job is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        var log = Path.Combine(session.Workspace.JobDirectory(id), Workspace.JobFiles.Log);
        long offset = 0;
        string? shown = null;
        var cancel = context.RequestAborted;
        while (!cancel.IsCancellationRequested)
        {
            job = jobs.Get(id)!;
            var (lines, next) = AppendedLines.Read(log, offset);
            offset = next;
            foreach (var line in lines) await response.WriteAsync($"event: log\ndata: {JsonSerializer.Serialize(line)}\n\n", Encoding.UTF8, cancel);
            var state = JsonSerializer.Serialize(new { state = job.State, message = job.Message, exitCode = job.ExitCode, stopRequested = job.StopRequested });
            if (state != shown) await response.WriteAsync($"event: state\ndata: {state}\n\n", Encoding.UTF8, cancel);
            shown = state;
            if (!job.IsOpen && lines.Count == 0)
            {
                await response.WriteAsync($"event: end\ndata: {state}\n\n", Encoding.UTF8, cancel);
                return;
            }
            await response.Body.FlushAsync(cancel);
            try { await Task.Delay(Poll, cancel); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static IResult Sample(long id, StudioSession session, HttpResponse response)
    {
        var catalog = session.Catalog;
        var sample = catalog.GetSample(id);
        if (sample is null || catalog.TaintsOf(TaintKind.Run, sample.RunId).Count > 0 || catalog.TaintsOf(TaintKind.Checkpoint, sample.CheckpointId).Count > 0
            || !File.Exists(sample.Path))
            return Results.NotFound();
        var bytes = File.ReadAllBytes(sample.Path);
        // Only the file that was recorded: one changed or replaced since is not this sample.
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != sample.Sha256) return Results.NotFound();
        response.Headers.CacheControl = "no-store";
        return ImageProbe.FormatOf(bytes) switch
        {
            ImageFormat.Png => Results.Bytes(bytes, "image/png"),
            ImageFormat.Jpeg => Results.Bytes(bytes, "image/jpeg"),
            _ => Results.NotFound(),
        };
    }
}
