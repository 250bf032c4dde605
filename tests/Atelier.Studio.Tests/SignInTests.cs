using System.Net;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Studio.Accounts;
using Atelier.Studio.Security;

namespace Atelier.Studio.Tests;

public sealed class SignInTests : IAsyncLifetime
{
    private StudioFixture _studio = null!;

    public async ValueTask InitializeAsync() => _studio = await StudioFixture.StartAsync(images: 2);

    public async ValueTask DisposeAsync() => await _studio.DisposeAsync();

    private GovernanceSession Owner => GovernanceSession.For(_studio.Temp.Workspace);

    [Fact]
    public async Task AWrongPasswordOrUnknownUserIsRefusedWithOneAnswer()
    {
        using var client = _studio.Client();
        var wrong = await _studio.SignIn(client, StudioFixture.UserOf(Role.Viewer), "not the password");
        var unknown = await _studio.SignIn(client, "nobody", StudioFixture.Password);
        foreach (var answer in new[] { wrong, unknown })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Contains("do not match an enabled user", await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task SignInSetsAnHttpOnlyStrictCookieAndShowsTheGrid()
    {
        using var client = _studio.Client();
        var answer = await _studio.SignIn(client, StudioFixture.UserOf(Role.Annotator), StudioFixture.Password);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var cookie = Assert.Single(answer.Headers.GetValues("Set-Cookie"), c => c.StartsWith(StudioSignIn.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        var grid = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        Assert.Contains("annotator-user (annotator)", grid);
        Assert.Contains($"/media/thumbs/{_studio.ImageIds[0]}", grid);
    }

    [Fact]
    public async Task ADisabledUserARoleChangeAndANewPasswordTakeEffectOnTheNextRequest()
    {
        var reviewer = await _studio.SignedIn(Role.Reviewer);
        var annotator = await _studio.SignedIn(Role.Annotator);
        var viewer = await _studio.SignedIn(Role.Viewer);
        var token = await StudioFixture.PageToken(annotator, "/signin");
        var body = new { ids = new[] { _studio.ImageIds[0] }, add = new[] { "x" } };
        Assert.Equal(HttpStatusCode.OK, (await StudioFixture.PostJson(annotator, "/api/images/tags", body, token)).StatusCode);

        UserAdministration.SetRole(Owner, StudioFixture.UserOf(Role.Annotator), Role.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await StudioFixture.PostJson(annotator, "/api/images/tags", body, token)).StatusCode);

        UserAdministration.Disable(Owner, StudioFixture.UserOf(Role.Reviewer));
        var afterDisable = await reviewer.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, afterDisable.StatusCode);
        Assert.StartsWith("/signin", afterDisable.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        UserAdministration.SetPassword(Owner, StudioFixture.UserOf(Role.Viewer), Passwords.Hash(StudioFixture.UserOf(Role.Viewer), "another long password"));
        Assert.Equal(HttpStatusCode.Redirect, (await viewer.GetAsync("/", TestContext.Current.CancellationToken)).StatusCode);
        using var again = _studio.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await _studio.SignIn(again, StudioFixture.UserOf(Role.Viewer), StudioFixture.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await _studio.SignIn(again, StudioFixture.UserOf(Role.Viewer), "another long password")).StatusCode);
    }

    [Fact]
    public async Task SignInAttemptsAreLimitedPerAddressAndUser()
    {
        using var client = _studio.Client();
        var name = StudioFixture.UserOf(Role.Admin);
        for (int i = 0; i < StudioApp.SignInAttemptsPerMinute; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await _studio.SignIn(client, name, "guess number " + i)).StatusCode);
        var limited = await _studio.SignIn(client, name, StudioFixture.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Too many sign-in attempts", await limited.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        // Another user from the same address is not locked out by someone guessing the admin's password.
        Assert.Equal(HttpStatusCode.Redirect, (await _studio.SignIn(_studio.Client(), StudioFixture.UserOf(Role.Viewer), StudioFixture.Password)).StatusCode);
    }

    [Fact]
    public void PasswordsAreStoredOnlyAsPbkdf2HashesAndShortOnesAreRefused()
    {
        var hash = _studio.Temp.Catalog.UserPasswordHash(StudioFixture.UserOf(Role.Viewer))!;
        Assert.DoesNotContain(StudioFixture.Password, hash);
        // ASP.NET Core Identity's version-3 format: 0x01 marker byte, then PRF, iteration count, salt and subkey.
        Assert.Equal(0x01, Convert.FromBase64String(hash)[0]);
        Assert.True(Passwords.Verify("viewer-user", hash, StudioFixture.Password));
        Assert.False(Passwords.Verify("viewer-user", hash, StudioFixture.Password + "!"));
        var e = Assert.Throws<Atelier.Catalog.AtelierException>(() => Passwords.Hash("x", "short"));
        Assert.Equal("weak-password", e.Code);
    }

    [Fact]
    public async Task EveryAnswerCarriesTheSecurityHeaders()
    {
        using var client = _studio.Client();
        foreach (var path in new[] { "/signin", "/", "/media/thumbs/1", "/no-such-page" })
        {
            var answer = await client.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(SecurityHeaders.ContentSecurityPolicy, Assert.Single(answer.Headers.GetValues("Content-Security-Policy")));
            Assert.Contains("frame-ancestors 'none'", SecurityHeaders.ContentSecurityPolicy);
            Assert.Equal("nosniff", Assert.Single(answer.Headers.GetValues("X-Content-Type-Options")));
            Assert.False(answer.Headers.Contains("Server"));
        }
    }
}
