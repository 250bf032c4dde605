using System.Diagnostics;
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
        var mountPoint = Path.Combine(cli.Directory, "small-disk");
        Directory.CreateDirectory(mountPoint);
        if (!Run("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint))
            Assert.Skip("mounting a small tmpfs needs root");
        try
        {
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

            Assert.True(Run("mount", "-o", "remount,size=64m", mountPoint));
            var resumed = cli.Ok("ingest", source.Path, "--workspace", ws, "--json").Json;
            Assert.Equal(40 - before, resumed.GetProperty("added").GetInt32());
        }
        finally
        {
            Run("umount", "-l", mountPoint);
        }
    }

    /// <summary>Incompressible pixels so each PNG is about as large as its raw data.</summary>
    private static byte[] NoisePng(int width, int height, int seed)
    {
        var pixels = new byte[width * height * 4];
        new Random(seed).NextBytes(pixels);
        for (var i = 3; i < pixels.Length; i += 4) pixels[i] = 255;
        return Atelier.Imaging.ImageEncoder.EncodePng(new Atelier.Imaging.RgbaImage(width, height, pixels));
    }

    private static bool Run(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args) info.ArgumentList.Add(a);
            using var p = Process.Start(info)!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
