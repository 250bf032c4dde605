using System.Text.Json;
using Atelier.Imaging;

namespace Atelier.Cli.Tests;

/// <summary><c>atelier verify</c> through the real CLI on samples the real <c>sample</c> wrote, and on what was done to them afterwards.</summary>
public class VerifyCommandTests
{
    [Fact]
    public void SamplesVerifyAsThemselvesAndAStrippedCopyIsStillNamedByItsMark()
    {
        using var cli = TrainingCommandTests.WithDataset();
        cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.032", "--batch", "16", "--snapshot-kimg", "0.032", "--name", "r1", "--device", "cpu");
        var png = cli.Ok("sample", "--run", "r1", "--n", "2", "--seed", "4", "--out", "png", "--json").Json;
        var jpeg = cli.Ok("sample", "--run", "r1", "--n", "1", "--seed", "4", "--out", "jpeg", "--format", "jpeg", "--json").Json;
        var written = png.GetProperty("samples").EnumerateArray().Concat(jpeg.GetProperty("samples").EnumerateArray()).ToList();
        Assert.Equal(320, png.GetProperty("side").GetInt32());

        var all = cli.Ok(["verify", .. written.Select(s => s.GetProperty("path").GetString()!), "--json"]).Json.GetProperty("files");
        Assert.Equal(3, all.GetArrayLength());
        foreach (var (file, sample) in all.EnumerateArray().Zip(written))
        {
            Assert.True(file.GetProperty("identified").GetBoolean());
            Assert.Equal(sample.GetProperty("markPayload").GetString(), file.GetProperty("mark").GetProperty("payload").GetString());
            Assert.True(file.GetProperty("credentials").GetProperty("valid").GetBoolean());
            var lineage = file.GetProperty("lineage");
            Assert.Equal(sample.GetProperty("id").GetInt64(), lineage.GetProperty("sampleId").GetInt64());
            Assert.Equal(("r1", "faces", false), (lineage.GetProperty("run").GetString(), lineage.GetProperty("snapshot").GetString(), lineage.GetProperty("tainted").GetBoolean()));
        }

        // Re-saved without any metadata (what a social site or a screenshot tool does): the mark alone names the sample.
        var first = written[0];
        var stripped = Path.Combine(cli.Directory, "stripped.jpg");
        File.WriteAllBytes(stripped, ImageEncoder.EncodeJpeg(ImageDecoder.Decode(File.ReadAllBytes(first.GetProperty("path").GetString()!)), 80));
        var text = cli.Ok("verify", stripped).Out;
        Assert.Contains($"stripped.jpg: sample {first.GetProperty("id").GetInt64()} of run r1", text);
        Assert.Contains($"mark         payload {first.GetProperty("markPayload").GetString()}", text);
        Assert.Contains("credentials  no C2PA manifest; no XMP", text);
        Assert.Contains("lineage      clean", text);

        // After a key rotation, samples marked before it are still found, under the retired key.
        var rotation = cli.Ok("keys", "rotate", "--json").Json;
        var rotated = cli.Ok("verify", stripped, "--json").Json.GetProperty("files")[0];
        Assert.True(rotated.GetProperty("identified").GetBoolean());

        // The signing key was sealed again under the new key, and signs as before.
        Assert.True(rotation.GetProperty("signingKeyResealed").GetBoolean());
        using (var stored = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(cli.Directory, ".atelier", "signing.json"))))
            Assert.Equal(rotation.GetProperty("newKeyId").GetString(),
                Governance.Keys.Sealer.KeyIdOf(Convert.FromBase64String(stored.RootElement.GetProperty("key").GetString()!)));
        var after = cli.Ok("sample", "--run", "r1", "--n", "1", "--seed", "5", "--out", "after", "--json").Json.GetProperty("samples")[0];
        var checkedAfter = cli.Ok("verify", after.GetProperty("path").GetString()!, "--json").Json.GetProperty("files")[0];
        Assert.True(checkedAfter.GetProperty("credentials").GetProperty("valid").GetBoolean());
        Assert.True(cli.Ok("keys", "rotate", "--json").Json.GetProperty("signingKeyResealed").GetBoolean()); // and again at the next rotation
    }

    [Fact]
    public void FilesThatAreNotSamplesGetOneLineEachAndExitOne()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        File.WriteAllText(Path.Combine(cli.Directory, "notes.txt"), "just text");
        var plain = TestSupport.SyntheticImages.Png(300, 200, 5);
        File.WriteAllBytes(Path.Combine(cli.Directory, "plain.png"), plain);
        File.WriteAllBytes(Path.Combine(cli.Directory, "cut.png"), plain[..(plain.Length / 3)]);

        var r = cli.Run("verify", "notes.txt", "plain.png", "cut.png", "missing.png");

        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Error);
        Assert.Contains("notes.txt: not an image", r.Out);
        Assert.Contains("plain.png: not identified as a sample of this workspace", r.Out);
        Assert.Contains("mark         none found", r.Out);
        Assert.Contains("cut.png: not identified", r.Out);
        Assert.Contains("image        the PNG cannot be decoded", r.Out);
        Assert.Contains("missing.png: no such file", r.Out);
        Assert.DoesNotContain("   at ", r.Out);
        using var json = JsonDocument.Parse(cli.Run("verify", "plain.png", "--json").Out);
        Assert.False(json.RootElement.GetProperty("files")[0].GetProperty("identified").GetBoolean());
    }
}
