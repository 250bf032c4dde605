using Atelier.Catalog;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>
/// <c>atelier init</c> run as real processes at once on one folder, and killed part-way: the outcome must be
/// what inits one after another give (one creates, the others refuse with the same line), and never a
/// half-made workspace that later commands take for a whole one.
/// </summary>
[Collection(nameof(ConcurrentCommandsTests))]
public class InitRaceTests
{
    private const int AtOnce = 8;
    private const int Rounds = 4;

    [Fact]
    public async Task EightInitsAtOnceOnOneFolderEndAsInitsOneAfterAnother()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cli = new CliRunner();
        using var images = new TempDir();
        for (var i = 0; i < 3; i++) images.Write($"img/{i}.png", SyntheticImages.Png(48, 48, i));
        for (var round = 0; round < Rounds; round++)
        {
            var ws = Path.Combine(cli.Directory, $"ws{round}");
            // The last round keeps the key ring outside the workspace: then the inits also race to create that one file.
            var keyFile = round == Rounds - 1 ? Path.Combine(cli.Directory, $"keys{round}.json") : null;
            string[] args = keyFile is null ? ["init", ws] : ["init", ws, "--key-file", keyFile];
            var results = await Task.WhenAll(Enumerable.Range(0, AtOnce).Select(_ => AtelierProcess.RunAsync(args, ct)));

            var created = results.Where(r => r.Code == 0).ToList();
            Assert.True(created.Count == 1, $"round {round}: {created.Count} inits exited 0: " + string.Join(" | ", results.Select(r => $"{r.Code}: {r.Error.Trim()}")));
            Assert.StartsWith($"Created workspace {ws}", created[0].Out);
            Assert.Equal("", created[0].Error);
            // What a later init says of the workspace now there: each loser must have said exactly that, with its exit code.
            var sequential = cli.Run(args);
            Assert.Equal(1, sequential.Code);
            Assert.Equal($"atelier: a workspace already exists in {ws}", sequential.Error.TrimEnd('\n'));
            Assert.All(results.Where(r => r.Code != 0), r =>
            {
                Assert.Equal(sequential.Code, r.Code);
                Assert.Equal(sequential.Error, r.Error);
                Assert.Equal("", r.Out);
            });
            AssertWhole(ws, keyFile);
            Assert.Empty(Directory.EnumerateFileSystemEntries(ws, ".atelier.init-*")); // no lock left either

            // The workspace works: later commands run in it and its audit chain, begun by the one init, holds.
            var ingest = await AtelierProcess.RunAsync(["ingest", Path.Combine(images.Path, "img"), "--workspace", ws, "--source", "race", "--license", "CC0-1.0", "--json"], ct);
            Assert.True(ingest.Code == 0, $"round {round}: ingest exited {ingest.Code}: {ingest.Error}");
            Assert.Equal(3, ingest.Json.GetProperty("added").GetInt32());
            var verify = await AtelierProcess.RunAsync(["audit", "verify", "--workspace", ws], ct);
            Assert.True(verify.Code == 0, $"round {round}: audit verify exited {verify.Code}: {verify.Error}");
        }
    }

    [Fact]
    public async Task AKilledInitLeavesNoWorkspaceThatLooksWholeAndTheNextInitFinishesTheJob()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cli = new CliRunner();
        var killedWhileBuilding = 0;
        for (var round = 0; round < 6; round++)
        {
            var ws = Path.Combine(cli.Directory, $"ws{round}");
            using (var process = AtelierProcess.Start("init", ws))
            {
                // Kill the moment its private folder's lock appears: it is then part-way through building the workspace.
                while (!process.HasExited && !(Directory.Exists(ws) && Directory.EnumerateFiles(ws, ".atelier.init-*.lock").Any()))
                    await Task.Delay(1, ct);
                if (!process.HasExited) process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(ct);
            }
            var leftover = Directory.Exists(ws) && Directory.EnumerateDirectories(ws, ".atelier.init-*").Any();
            if (File.Exists(Path.Combine(ws, ".atelier", "config.json")))
            {
                // It got as far as the rename: then the workspace is whole.
                AssertWhole(ws);
                continue;
            }
            Assert.False(Directory.Exists(Path.Combine(ws, ".atelier")), "a killed init left .atelier without its config");
            var later = cli.Run("audit", "verify", "--workspace", ws);
            Assert.Equal(1, later.Code);
            Assert.Single(later.Error.TrimEnd('\n').Split('\n'));
            if (leftover)
            {
                killedWhileBuilding++;
                Assert.Equal($"atelier: the workspace in {ws} was never finished ('atelier init' there was interrupted, or is still running): run 'atelier init' there again",
                    later.Error.TrimEnd('\n'));
            }

            var init = cli.Run("init", ws);
            Assert.True(init.Code == 0, $"init after the kill exited {init.Code}: {init.Error}");
            Assert.Equal(leftover ? $"atelier: removed an unfinished workspace left in {ws} by an interrupted 'atelier init'\n" : "", init.Error);
            AssertWhole(ws);
            cli.Ok("audit", "verify", "--workspace", ws);
        }
        Assert.True(killedWhileBuilding > 0, "no kill landed while an init was building its workspace");
    }

    /// <summary>Everything an init makes is there, sound, and nothing of its building is left beside it.</summary>
    private static void AssertWhole(string ws, string? keyFile = null)
    {
        var data = Path.Combine(ws, ".atelier");
        Assert.True(File.Exists(Path.Combine(data, "config.json")));
        Assert.True(Directory.Exists(Path.Combine(data, "blobs")));
        var keyRing = keyFile ?? Path.Combine(data, "keyring.json");
        Assert.True(File.Exists(keyRing));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyRing));
        Assert.Empty(Directory.EnumerateDirectories(ws, ".atelier.init-*"));
        using var workspace = Workspace.Open(ws);
        Assert.Equal("ok", workspace.Catalog.IntegrityCheck());
        Assert.NotNull(workspace.Catalog.OwnerUser());
        Assert.True(workspace.Catalog.AuditCount >= 1, "no workspace-created audit entry");
    }
}
