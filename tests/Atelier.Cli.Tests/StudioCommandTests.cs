using System.Net;
using System.Text.RegularExpressions;
using Atelier.Catalog;
using Atelier.Studio.Accounts;

namespace Atelier.Cli.Tests;

public sealed partial class StudioCommandTests
{
    private const string Password = "a long enough password";

    [Fact]
    public void UserPasswordReadsOneLineAndStoresOnlyItsHash()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        cli.Ok("user", "add", "ann", "--role", "annotator");
        var set = cli.RunWithInput(Password + "\n", "user", "password", "ann");
        Assert.True(set.Code == 0, set.Error);
        Assert.Equal("Set the studio password of ann", set.Out.Trim());
        using (var ws = Workspace.Open(cli.Directory))
        {
            var hash = ws.Catalog.UserPasswordHash("ann");
            Assert.True(Passwords.Verify("ann", hash, Password));
            Assert.DoesNotContain(Password, hash);
            Assert.DoesNotContain(ws.Catalog.AllAuditEntries(), a => a.Detail.Contains(Password, StringComparison.Ordinal));
            Assert.Contains(ws.Catalog.AllAuditEntries(), a => a.Action == "user-changed" && a.Detail.Contains("\"password\":\"set\"", StringComparison.Ordinal));
        }

        var shortOne = cli.RunWithInput("short\n", "user", "password", "ann");
        Assert.Equal(1, shortOne.Code);
        Assert.Equal("atelier: a password needs at least 10 characters", shortOne.Error.Trim());
        var none = cli.RunWithInput(null, "user", "password", "ann");
        Assert.Equal(1, none.Code);
        Assert.StartsWith("atelier: no password on standard input", none.Error.Trim(), StringComparison.Ordinal);
        Assert.Single(none.Error.Trim().Split('\n'));
    }

    [Fact]
    public void OnlyAnAdminSetsSomeoneElsesPassword()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var token = cli.Ok("user", "add", "ann", "--role", "annotator", "--json").Json.GetProperty("token").GetString()!;
        cli.Ok("user", "add", "bob", "--role", "viewer");
        var refused = cli.RunWithInput(Password + "\n", "user", "password", "bob", "--as", "ann", "--token", token);
        Assert.Equal(1, refused.Code);
        Assert.Contains("may not set other users' passwords", refused.Error);
        var own = cli.RunWithInput(Password + "\n", "user", "password", "ann", "--as", "ann", "--token", token);
        Assert.True(own.Code == 0, own.Error);
    }

    [Theory]
    [InlineData("--bind 'example.org' is not an IP address", "--bind", "example.org")]
    [InlineData("port 70000 is outside 0..65535", "--port", "70000")]
    public void BadListenOptionsGetOneLine(string expected, params string[] options)
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var r = cli.Run(["studio", .. options]);
        Assert.Equal(1, r.Code);
        Assert.Contains(expected, r.Error);
        Assert.Single(r.Error.Trim().Split('\n'));
    }

    /// <summary>
    /// On a machine where no .NET web app has run (a fresh home), the studio makes no data protection key: nothing is written
    /// under ~/.aspnet and no warning about an unencrypted key comes before the one line a failed start gets.
    /// </summary>
    [Fact]
    public async Task OnAFreshMachineTheStudioWritesNoKeyToTheHomeFolderAndSaysOnlyWhyItStopped()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var home = Path.Combine(cli.Directory, "fresh-home");
        Directory.CreateDirectory(home);
        var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var r = await AtelierProcess.RunAsync(["studio", "--port", port, "--workspace", cli.Directory], TestContext.Current.CancellationToken,
                new Dictionary<string, string> { ["HOME"] = home });
            Assert.Equal(1, r.Code);
            Assert.StartsWith($"atelier: cannot listen on 127.0.0.1:{port}:", r.Error.Trim(), StringComparison.Ordinal);
            Assert.Single(r.Error.Trim().Split('\n'));
            Assert.DoesNotContain(Directory.GetFileSystemEntries(home, "*", SearchOption.AllDirectories), p => p.Contains(".aspnet", StringComparison.Ordinal));
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public void APortInUseGetsOneLineAndNoStackTrace()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var r = cli.Run("studio", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(1, r.Code);
            Assert.StartsWith($"atelier: cannot listen on 127.0.0.1:{port}:", r.Error.Trim(), StringComparison.Ordinal);
            Assert.Contains("address already in use", r.Error, StringComparison.OrdinalIgnoreCase);
            Assert.Single(r.Error.Trim().Split('\n'));
            Assert.DoesNotContain("   at ", r.Error + r.Out);
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public void KeysGivenToTwoActionsInConfigStopTheStudioWithOneLine()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var path = Path.Combine(cli.Directory, ".atelier", "config.json");
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config["studio"] = new System.Text.Json.Nodes.JsonObject { ["keys"] = new System.Text.Json.Nodes.JsonObject { ["undo"] = "a" } };
        File.WriteAllText(path, config.ToJsonString());
        var r = cli.Run("studio", "--port", "0");
        Assert.Equal(1, r.Code);
        Assert.Equal("atelier: studio key 'a' is given to both selectAll and undo in config.json", r.Error.Trim());
    }

    [Fact]
    public void AStudioWithoutAWorkspaceSaysSo()
    {
        using var cli = new CliRunner();
        var r = cli.Run("studio", "--port", "0");
        Assert.Equal(1, r.Code);
        Assert.StartsWith("atelier: no Atelier workspace in", r.Error.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-INT")]
    [InlineData("-TERM")]
    public async Task TheStudioServesSignInOnLoopbackAndStopsCleanlyOnCtrlCOrTerm(string signal)
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        cli.RunWithInput(Password + "\n", "user", "password", cli.Ok("user", "list", "--json").Json.GetProperty("users")[0].GetProperty("name").GetString()!);
        var address = new TaskCompletionSource<Uri>();
        var output = new System.Text.StringBuilder();
        using var process = AtelierProcess.Start("studio", "--workspace", cli.Directory, "--port", "0");
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data is { } line && Listening().Match(line) is { Success: true } m) address.TrySetResult(new Uri(m.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        var uri = await address.Task.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal("127.0.0.1", uri.Host);
        using (var http = new HttpClient { BaseAddress = uri })
        {
            var page = await http.GetAsync("/signin", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<h1>Sign in</h1>", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }
        using (var kill = System.Diagnostics.Process.Start("kill", [signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        lock (output)
        {
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}:\n{output}");
            Assert.Contains("Atelier Studio stopped", output.ToString());
            Assert.DoesNotContain("warn:", output.ToString());
        }
    }

    [GeneratedRegex(@"^Atelier Studio on (http://\S+) for the workspace")]
    private static partial Regex Listening();
}
