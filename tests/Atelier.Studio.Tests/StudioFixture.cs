using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Ingest.Pipeline;
using Atelier.Studio;
using Atelier.Studio.Accounts;
using Atelier.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace Atelier.Studio.Tests;

/// <summary>
/// A real workspace with real emoji images ingested, one user per role with a password, and the studio serving it on a
/// loopback port of its own (real Kestrel, real HTTP).
/// </summary>
public sealed class StudioFixture : IAsyncDisposable
{
    public const string Password = "correct horse battery";
    public static readonly Role[] AllRoles = Enum.GetValues<Role>();

    public TempWorkspace Temp { get; } = new();
    public WebApplication App { get; private set; } = null!;
    public Uri Address { get; private set; } = null!;
    public IReadOnlyList<long> ImageIds { get; private set; } = [];
    /// <summary>Everything the studio logged (warnings and errors).</summary>
    public StringWriter Log { get; } = new();

    /// <summary>The real CLI as the studio's worker for jobs.</summary>
    public static readonly Jobs.StudioWorker Worker = new("dotnet", [Repo.AtelierDll]);

    public static async Task<StudioFixture> StartAsync(int images = 12, StudioKeys? keys = null, bool worker = true)
    {
        var f = new StudioFixture();
        if (keys is not null)
        {
            var path = Path.Combine(f.Temp.Directory, Workspace.DirectoryName, "config.json");
            var config = f.Temp.Workspace.Config with { Studio = new StudioSettings { Keys = keys } };
            File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(config, WorkspaceConfig.JsonOptions));
        }
        var source = Path.Combine(f.Temp.Directory, "incoming");
        Directory.CreateDirectory(source);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repo.EmojiSample, "img"), "*.png").Order(StringComparer.Ordinal).Take(images))
            File.Copy(file, Path.Combine(source, Path.GetFileName(file)));
        await new Ingestion(f.Temp.Workspace).RunAsync(new IngestRequest { Sources = [source], License = "Apache-2.0" }, null, TestContext.Current.CancellationToken);
        f.ImageIds = f.Temp.Catalog.SelectIds(Selector.All);
        var owner = GovernanceSession.For(f.Temp.Workspace);
        foreach (var role in AllRoles)
        {
            UserAdministration.Add(owner, UserOf(role), role);
            UserAdministration.SetPassword(owner, UserOf(role), Passwords.Hash(UserOf(role), Password));
        }
        f.App = StudioApp.Build(new StudioOptions(f.Temp.Directory, "127.0.0.1", 0) { SignInWindow = TimeSpan.FromHours(1), Worker = worker ? Worker : null }, Environment.GetEnvironmentVariable, f.Log);
        await f.App.StartAsync(TestContext.Current.CancellationToken);
        f.Address = StudioApp.Address(f.App);
        return f;
    }

    /// <summary>
    /// What training from the studio needs: every image rated, a snapshot "set" of them, and the workspace's signing identity
    /// (samples are signed), made by the owner with the real CLI.
    /// </summary>
    public async Task PrepareTrainingAsync()
    {
        Annotations.Rate(GovernanceSession.For(Temp.Workspace), Selector.All, "general");
        Atelier.Datasets.Snapshots.Create(Temp.Workspace, "set", null);
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { Repo.AtelierDll, "keys", "init-signing", "--workspace", Temp.Directory }) info.ArgumentList.Add(a);
        using var init = System.Diagnostics.Process.Start(info)!;
        var error = init.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await init.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await init.WaitForExitAsync(TestContext.Current.CancellationToken);
        if (init.ExitCode != 0) throw new InvalidOperationException($"keys init-signing: {await error}");
    }

    public static string UserOf(Role role) => role.Name() + "-user";

    /// <summary>A browser-like client: its own cookies, no automatic redirects (so tests see them).</summary>
    public HttpClient Client() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = Address };

    /// <summary>A client signed in as the user holding <paramref name="role"/>.</summary>
    public async Task<HttpClient> SignedIn(Role role)
    {
        var client = Client();
        var answer = await SignIn(client, UserOf(role), Password);
        return answer.StatusCode == HttpStatusCode.Redirect ? client : throw new InvalidOperationException($"{UserOf(role)} could not sign in: {answer.StatusCode}");
    }

    public async Task<HttpResponseMessage> SignIn(HttpClient client, string name, string password)
    {
        var token = await FormToken(client, "/signin");
        return await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["name"] = name, ["password"] = password, ["__RequestVerificationToken"] = token,
        }), TestContext.Current.CancellationToken);
    }

    /// <summary>The anti-forgery token of the form on <paramref name="path"/>.</summary>
    public static async Task<string> FormToken(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path, TestContext.Current.CancellationToken);
        return StudioPage.FormToken(html);
    }

    /// <summary>The token scripts send (the layout's meta tag), read from <paramref name="path"/>.</summary>
    public static async Task<string> PageToken(HttpClient client, string path = "/")
    {
        var html = await client.GetStringAsync(path, TestContext.Current.CancellationToken);
        return StudioPage.MetaToken(html);
    }

    public static async Task<HttpResponseMessage> PostJson(HttpClient client, string path, object body, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (token is not null) request.Headers.Add("X-CSRF-TOKEN", token);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
        Temp.Dispose();
    }
}
