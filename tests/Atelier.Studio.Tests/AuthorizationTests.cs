using System.Net;
using Atelier.Governance.Access;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Atelier.Studio.Tests;

/// <summary>
/// Every endpoint, asked by nobody and by each role over real HTTP. The table below must name every route the studio
/// maps: a new endpoint fails <see cref="EveryEndpointIsInTheTableWithItsPolicy"/> until it has a policy and a row here.
/// </summary>
public sealed class AuthorizationTests : IAsyncLifetime
{
    private StudioFixture _studio = null!;

    /// <summary>Route, a request to try, and the least role that may make it (null: anyone, signed in or not).</summary>
    private static readonly (string Route, string Method, string Path, Role? Least)[] Endpoints =
    [
        ("", "GET", "/", Role.Viewer),
        ("images/{id:long}", "GET", "/images/{id}", Role.Viewer),
        ("signin", "GET", "/signin", null),
        ("signout", "POST", "/signout", Role.Viewer),
        ("denied", "GET", "/denied", null),
        ("review", "GET", "/review", Role.Reviewer),
        ("snapshots", "GET", "/snapshots?draft=all", Role.Viewer),
        ("snapshots/{name}", "GET", "/snapshots/none", Role.Viewer),
        ("runs", "GET", "/runs", Role.Viewer),
        ("runs/{name}", "GET", "/runs/none", Role.Viewer),
        ("/media/runs/{name}/grid", "GET", "/media/runs/none/grid", Role.Viewer),
        ("/api/runs/{name}/events", "GET", "/api/runs/none/events", Role.Viewer),
        ("subjects", "GET", "/subjects", Role.Admin),
        ("subjects/{id}", "GET", "/subjects/S-00000000", Role.Admin),
        ("/assets/{name}", "GET", "/assets/studio.css", null),
        ("/media/thumbs/{id:long}", "GET", "/media/thumbs/{id}", Role.Viewer),
        ("/api/images", "GET", "/api/images?where=all&offset=0&limit=10", Role.Viewer),
        ("/api/images/{id:long}/rating", "POST", "/api/images/{id}/rating", Role.Annotator),
        ("/api/images/tags", "POST", "/api/images/tags", Role.Annotator),
        ("/api/images/tag-links", "POST", "/api/images/tag-links", Role.Annotator),
        ("/api/images/ratings", "POST", "/api/images/ratings", Role.Annotator),
        ("/api/review/duplicates", "POST", "/api/review/duplicates", Role.Reviewer),
        ("/api/views", "POST", "/api/views", Role.Viewer),
        ("/api/views/delete", "POST", "/api/views/delete", Role.Viewer),
        ("jobs", "GET", "/jobs", Role.Viewer),
        ("jobs/{id:long}", "GET", "/jobs/999", Role.Viewer),
        // Viewers may ask for verification; what else a job may do is the stage's own role check (JobTests).
        ("/api/jobs", "POST", "/api/jobs", Role.Viewer),
        ("/api/jobs/{id:long}/stop", "POST", "/api/jobs/999/stop", Role.Viewer),
        ("/api/jobs/{id:long}/events", "GET", "/api/jobs/999/events", Role.Viewer),
        ("/media/samples/{id:long}", "GET", "/media/samples/999", Role.Viewer),
    ];

    public async ValueTask InitializeAsync() => _studio = await StudioFixture.StartAsync(images: 4);

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    [Fact]
    public void EveryEndpointIsInTheTableWithItsPolicy()
    {
        var mapped = _studio.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(mapped.Count >= Endpoints.Length, $"only {mapped.Count} endpoints mapped");
        foreach (var endpoint in mapped)
        {
            var route = endpoint.RoutePattern.RawText ?? "";
            var row = Endpoints.Where(e => e.Route == route).ToList();
            Assert.True(row.Count == 1, $"endpoint '{route}' ({endpoint.DisplayName}) is not in the authorization table");
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
            if (row[0].Least is { } least)
            {
                Assert.False(anonymous, $"'{route}' allows anonymous requests");
                Assert.Equal([least.Name()], policies);
            }
            else
            {
                Assert.True(anonymous, $"'{route}' should be explicitly anonymous");
                Assert.Empty(policies);
            }
        }
        Assert.All(Endpoints, e => Assert.Contains(mapped, m => m.RoutePattern.RawText == e.Route));
    }

    [Fact]
    public async Task EachRoleGetsExactlyWhatItsRoleAllows()
    {
        var id = _studio.ImageIds[0];
        var clients = new Dictionary<Role, HttpClient>();
        foreach (var role in StudioFixture.AllRoles) clients[role] = await _studio.SignedIn(role);
        foreach (var (route, method, pathTemplate, least) in Endpoints)
        {
            var path = pathTemplate.Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // Anonymous: pages send the browser to sign in, the API and media answer 401.
            using (var anonymous = _studio.Client())
            {
                var answer = await Send(anonymous, method, path, token: null);
                if (least is null) Assert.True(answer.StatusCode is not HttpStatusCode.Unauthorized and not HttpStatusCode.Forbidden, $"{method} {path} anonymous: {answer.StatusCode}");
                else if (path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/media", StringComparison.Ordinal))
                    Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
                else
                {
                    Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
                    Assert.StartsWith("/signin", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
                }
            }
            foreach (var role in StudioFixture.AllRoles)
            {
                var client = clients[role];
                var answer = await Send(client, method, path, await StudioFixture.PageToken(client, "/signin"));
                var allowed = least is null || role >= least;
                if (allowed)
                    Assert.True(answer.StatusCode is not HttpStatusCode.Unauthorized and not HttpStatusCode.Forbidden && (int)answer.StatusCode < 500,
                        $"{method} {path} as {role}: {answer.StatusCode}");
                else if (path.StartsWith("/api", StringComparison.Ordinal) || path.StartsWith("/media", StringComparison.Ordinal))
                    Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
                else
                {
                    Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
                    Assert.StartsWith("/denied", answer.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
                }
                if (route == "signout" && allowed) clients[role] = await _studio.SignedIn(role);
            }
        }
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string method, string path, string? token)
    {
        if (method == "GET") return await client.GetAsync(path, TestContext.Current.CancellationToken);
        // A valid body for each write, so that an allowed request is a real change, not a 400.
        object body = path.EndsWith("/rating", StringComparison.Ordinal) ? new { rating = "general", version = 0 }
            : path.EndsWith("/tags", StringComparison.Ordinal) ? new { ids = new[] { 1L }, add = new[] { "checked" } }
            : path.EndsWith("/tag-links", StringComparison.Ordinal) ? new { add = new[] { new { image = 1L, tag = "linked" } } }
            : path.EndsWith("/views", StringComparison.Ordinal) ? new { name = "mine", where = "all" }
            : path.EndsWith("/views/delete", StringComparison.Ordinal) ? new { name = "mine" }
            : path.EndsWith("/duplicates", StringComparison.Ordinal) ? new { keep = 1L, exclude = new[] { 2L } }
            : path == "/api/jobs" ? new { kind = "verify", run = "none" }
            : path.EndsWith("/ratings", StringComparison.Ordinal) ? new { changes = new[] { new { id = 1L, rating = "general", version = 0L } } }
            : new { };
        if (path == "/signout")
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token ?? "" });
            return await client.PostAsync(path, form, TestContext.Current.CancellationToken);
        }
        return await StudioFixture.PostJson(client, path, body, token);
    }
}
