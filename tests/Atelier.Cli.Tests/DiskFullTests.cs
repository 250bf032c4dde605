using Atelier.Catalog;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>A workspace on a tiny tmpfs: the disk fills up mid-ingest. Needs root (mount); skipped otherwise.</summary>
public class DiskFullTests
{
    [Fact]
    public void IngestOnAFullDiskStopsWithOneLineAndResumesOnceThereIsSpace()
    {
        using var cli = new CliRunner();
        using var disk = SmallDisk.TryMount(3);
        if (disk is null) Assert.Skip("mounting a small tmpfs needs root");
        var mountPoint = disk.Path;
        using var source = new TempDir();
        for (var i = 0; i < 40; i++) source.Write($"{i:00}.png", NoisePng(192, 192, i));
        var ws = Path.Combine(mountPoint, "ws");
        cli.Ok("init", ws);

        var full = cli.Run("ingest", source.Path, "--workspace", ws);
        Assert.Equal(1, full.Code);
        Assert.Single(full.Error.TrimEnd().Split('\n'));
        Assert.Contains("disk holding the workspace is full", full.Error);
        long before;
        using (var workspace = Workspace.Open(ws))
        {
            Assert.Equal("ok", workspace.Catalog.IntegrityCheck());
            before = workspace.Catalog.ImageCount;
            Assert.True(before < 40);
            Assert.All(workspace.Catalog.ListImages(Selector.All), i => Assert.True(workspace.Blobs.Contains(i.Sha256)));
        }

        disk.Resize(64);
        var resumed = cli.Ok("ingest", source.Path, "--workspace", ws, "--json").Json;
        Assert.Equal(40 - before, resumed.GetProperty("added").GetInt32());
    }

    /// <summary>Incompressible pixels so each PNG is about as large as its raw data.</summary>
    private static byte[] NoisePng(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 4];
        new Random(seed).NextBytes(pixels);
        for (var i = 3; i < pixels.Length; i += 4) pixels[i] = 255;
        return Atelier.Imaging.ImageEncoder.EncodePng(new Atelier.Imaging.RgbaImage(width, height, pixels));
    }
}
