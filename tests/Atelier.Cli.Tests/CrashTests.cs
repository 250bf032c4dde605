using System.Diagnostics;
using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>Kills a real <c>atelier ingest</c> process with SIGKILL at several moments and checks what it leaves.</summary>
public class CrashTests
{
    private const int Images = 300;

    [Fact]
    public async Task KilledIngestLeavesAConsistentCatalogAndTheNextRunResumes()
    {
        using var cli = new CliRunner();
        using var source = new TempDir();
        for (var i = 0; i < Images; i++) source.Write($"img/{i:000}.png", SyntheticImages.Png(512, 512, i));
        cli.Ok("init", "ws");
        var ws = Path.Combine(cli.Directory, "ws");

        // Kill later and later until a run finishes by itself; at least one kill must land mid-ingest.
        var killedMidway = 0;
        for (var killAfterMs = 300; killAfterMs < 30_000; killAfterMs += 150)
        {
            // One worker keeps the run long enough for several kills to land between its commits.
            using (var process = StartAtelier("ingest", source.Path, "--workspace", ws, "--workers", "1"))
            {
                await Task.Delay(killAfterMs, TestContext.Current.CancellationToken);
                if (process.HasExited) break;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            }
            AssertEveryBlobIsWhole(ws);
            using var workspace = Workspace.Open(ws);
            Assert.Equal("ok", workspace.Catalog.IntegrityCheck());
            var images = workspace.Catalog.ListImages(Selector.All);
            Assert.True(images.Count <= Images);
            Assert.All(images, i => Assert.True(workspace.Blobs.Contains(i.Sha256), $"image {i.Id} has no blob"));
            if (images.Count is > 0 and < Images) killedMidway++;
        }
        Assert.True(killedMidway > 0, "no kill landed between the first and the last commit");

        var final = cli.Ok("ingest", source.Path, "--workspace", ws, "--json").Json;
        var added = final.GetProperty("added").GetInt32();
        var alreadyDone = final.GetProperty("alreadyDone").GetInt32();
        Assert.Equal(Images, added + alreadyDone);
        using (var workspace = Workspace.Open(ws))
        {
            Assert.Equal(Images, workspace.Catalog.ImageCount);
            Assert.Equal(Images, workspace.Catalog.Report().BySource.Values.Single());
        }
    }

    /// <summary>A blob under its final name always holds exactly the bytes its name hashes.</summary>
    private static void AssertEveryBlobIsWhole(string ws)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(ws, ".atelier", "blobs"), "*", SearchOption.AllDirectories))
            Assert.Equal(Path.GetFileName(file), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
    }

    internal static Process StartAtelier(params string[] args) => AtelierProcess.Start(args);
}
