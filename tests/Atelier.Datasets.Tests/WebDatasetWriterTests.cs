using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using System.Text.Json;

namespace Atelier.Datasets.Tests;

public class WebDatasetWriterTests
{
    private static SnapshotManifest Export(string dir, int perTar = 3, IEnumerable<SnapshotItem>? items = null)
    {
        var manifest = Fakes.Manifest(items: items ?? Enumerable.Range(1, 7).Select(n => Fakes.Item(n, "general", ("smile", "general"), ($"t{n}", "general"))));
        var options = Fakes.Options(dir, 10, manifest) with { MaxSamplesPerTar = perTar };
        using var writer = ExportWriters.Create(ExportFormat.WebDataset, options, TestPng.Encode);
        for (int i = 0; i < manifest.Items.Length; i++) writer.Add(i, ExportLabel.From(manifest.Items[i]), Fakes.Gradient(10, i));
        writer.Complete();
        return manifest;
    }

    [Fact]
    public void Tars_hold_grouped_samples_readable_with_TarReader()
    {
        using var dir = new TempDir();
        var manifest = Export(dir.Path);
        Assert.Equal(["dataset-000000.tar", "dataset-000001.tar", "dataset-000002.tar", "dataset.json", "labels.jsonl"], dir.FileNames());

        int index = 0;
        foreach (var tar in new[] { "dataset-000000.tar", "dataset-000001.tar", "dataset-000002.tar" })
        {
            using var stream = File.OpenRead(dir[tar]);
            using var reader = new TarReader(stream);
            var entries = new List<(string Name, byte[] Data, TarEntry Entry)>();
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                using var data = new MemoryStream();
                entry.DataStream?.CopyTo(data);
                entries.Add((entry.Name, data.ToArray(), entry));
            }
            Assert.All(entries, e =>
            {
                Assert.Equal(TarEntryFormat.Ustar, e.Entry.Format);
                Assert.Equal(DateTimeOffset.UnixEpoch, e.Entry.ModificationTime);
                Assert.Equal(0, e.Entry.Uid);
                Assert.Equal(0, e.Entry.Gid);
            });
            for (int s = 0; s < entries.Count; s += 3, index++)
            {
                var item = manifest.Items[index];
                Assert.Equal([item.Sha256 + ".json", item.Sha256 + ".png", item.Sha256 + ".txt"], entries.Skip(s).Take(3).Select(e => e.Name));
                using var json = JsonDocument.Parse(entries[s].Data);
                Assert.Equal(item.Sha256, json.RootElement.GetProperty("sha256").GetString());
                Assert.Equal(manifest.RootHash, json.RootElement.GetProperty("snapshotRoot").GetString());
                Assert.Equal("general", json.RootElement.GetProperty("rating").GetString());
                Assert.Equal(2, json.RootElement.GetProperty("tags").GetArrayLength());
                Assert.Equal(Fakes.Gradient(10, index), TestPng.Decode(entries[s + 1].Data).Rgb);
                Assert.Equal($"smile, t{item.ImageId}\n", Encoding.UTF8.GetString(entries[s + 2].Data));
            }
        }
        Assert.Equal(7, index);
    }

    [Fact]
    public void Two_exports_of_the_same_snapshot_are_byte_identical()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        Export(a.Path);
        Export(b.Path);
        Assert.Equal(a.FileNames(), b.FileNames());
        foreach (var name in a.FileNames())
            Assert.Equal(File.ReadAllBytes(a[name]), File.ReadAllBytes(b[name]));
    }

    [Fact]
    public void Debian_tar_lists_and_extracts_the_shards()
    {
        const string tarTool = "/usr/bin/tar";
        Assert.SkipUnless(File.Exists(tarTool), "GNU tar is not installed");
        using var dir = new TempDir();
        var manifest = Export(dir.Path, perTar: 10);

        var (code, stdout, stderr) = Run(tarTool, "-tf", dir["dataset-000000.tar"]);
        Assert.True(code == 0, $"tar -tf failed: {stderr}");
        var expected = manifest.Items.SelectMany(i => new[] { i.Sha256 + ".json", i.Sha256 + ".png", i.Sha256 + ".txt" });
        Assert.Equal(expected, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        var first = manifest.Items[0];
        (code, stdout, stderr) = Run(tarTool, "-xOf", dir["dataset-000000.tar"], first.Sha256 + ".txt");
        Assert.True(code == 0, $"tar -xOf failed: {stderr}");
        Assert.Equal($"smile, t{first.ImageId}\n", stdout);
    }

    [Fact]
    public void Abandoned_tar_is_removed()
    {
        using var dir = new TempDir();
        var manifest = Fakes.Manifest();
        var writer = new WebDatasetWriter(Fakes.Options(dir.Path, 8, manifest) with { MaxSamplesPerTar = 2 }, TestPng.Encode);
        for (int i = 0; i < 3; i++) writer.Add(i, ExportLabel.From(manifest.Items[i]), Fakes.Gradient(8, i));
        Assert.Equal(["dataset-000000.tar", "dataset-000001.tar.partial"], dir.FileNames());
        writer.Dispose();
        Assert.Equal(["dataset-000000.tar"], dir.FileNames());
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
