using Atelier.Imaging;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary><c>images features</c> and <c>images similar</c> with the real ResNet18 on real emoji: a re-encoded, smaller copy is found first.</summary>
public class SimilarImagesCommandTests
{
    [Fact]
    public void AReencodedSmallerCopyIsTheMostSimilarImage()
    {
        using var cli = new CliRunner();
        using var files = new TempDir();
        var originals = Directory.EnumerateFiles(Path.Combine(Repo.EmojiSample, "img"), "*.png").Order(StringComparer.Ordinal).Take(40).ToList();
        foreach (var f in originals) File.Copy(f, Path.Combine(files.Path, Path.GetFileName(f)));
        var picked = originals[17];
        var copy = ImageResizer.Resize(ImageDecoder.Decode(File.ReadAllBytes(picked)), 48, 48);
        ImageResizer.CompositeInPlace(copy, Rgb.White);
        File.WriteAllBytes(Path.Combine(files.Path, "copy.jpg"), ImageEncoder.EncodeJpeg(copy, 85));
        cli.Ok("init");
        cli.Ok("ingest", files.Path, "--license", "Apache-2.0");
        var ids = cli.Ok("images", "show", "all", "--json").Json.GetProperty("images").EnumerateArray()
            .ToDictionary(i => i.GetProperty("provenance")[0].GetProperty("fileName").GetString()!, i => i.GetProperty("id").GetInt64());

        Assert.Equal($"atelier: image {ids["copy.jpg"]} has no ResNet18 features yet: run `atelier images features`", cli.Run("images", "similar", ids["copy.jpg"].ToString()).Error.Trim());
        Assert.Equal("Features (ResNet18, 512-d) of 41 images computed, 0 had them", cli.Ok("images", "features").Out.Trim());
        Assert.Equal("Features (ResNet18, 512-d) of 0 images computed, 41 had them", cli.Ok("images", "features").Out.Trim());

        var similar = cli.Ok("images", "similar", ids["copy.jpg"].ToString(), "--k", "5", "--json").Json.GetProperty("similar");
        Assert.Equal(5, similar.GetArrayLength());
        Assert.Equal(ids[Path.GetFileName(picked)], similar[0].GetProperty("id").GetInt64());
        Assert.True(similar[0].GetProperty("similarity").GetDouble() > similar[1].GetProperty("similarity").GetDouble());

        cli.Ok("exclude", ids[Path.GetFileName(picked)].ToString(), "--reason", "test");
        Assert.DoesNotContain(ids[Path.GetFileName(picked)], cli.Ok("images", "similar", ids["copy.jpg"].ToString(), "--json").Json.GetProperty("similar").EnumerateArray().Select(s => s.GetProperty("id").GetInt64()));
        Assert.Equal("atelier: no image 99999", cli.Run("images", "similar", "99999").Error.Trim());
    }

    [Fact]
    public void AnotherNetworksVectorsAreStoredApartAndAskedForByTheSameOptions()
    {
        using var cli = new CliRunner();
        using var files = new TempDir();
        foreach (var f in Directory.EnumerateFiles(Path.Combine(Repo.EmojiSample, "img"), "*.png").Order(StringComparer.Ordinal).Take(12))
            File.Copy(f, Path.Combine(files.Path, Path.GetFileName(f)));
        var tiny = Atelier.Evaluation.Tests.TinyOnnx.Write(Path.Combine(cli.Directory, "tiny.onnx"));
        cli.Ok("init");
        cli.Ok("ingest", files.Path, "--license", "Apache-2.0");

        // One ONNX file, two outputs: two networks, whose vectors (3-d each) never meet.
        var mean = cli.Ok("images", "features", "--features", "onnx:" + tiny, "--output", "mean", "--json").Json;
        Assert.Equal(12, mean.GetProperty("computed").GetInt32());
        var meanName = mean.GetProperty("network").GetString()!;
        Assert.Matches("^onnx:tiny:[0-9a-f]{12}$", meanName);
        var peak = cli.Ok("images", "features", "--features", "onnx:" + tiny, "--output", "peak", "--json").Json;
        Assert.Equal(12, peak.GetProperty("computed").GetInt32());
        Assert.NotEqual(meanName, peak.GetProperty("network").GetString());
        Assert.Equal(0, cli.Ok("images", "features", "--features", "onnx:" + tiny, "--output", "mean", "--json").Json.GetProperty("computed").GetInt32());

        var similar = cli.Ok("images", "similar", "1", "--k", "3", "--features", "onnx:" + tiny, "--output", "mean", "--json").Json;
        Assert.Equal(meanName, similar.GetProperty("network").GetString());
        Assert.Equal(3, similar.GetProperty("similar").GetArrayLength());
        Assert.Equal("atelier: image 1 has no ResNet18 features yet: run `atelier images features`", cli.Run("images", "similar", "1").Error.Trim());
        // A file of the same name with other bytes (another input size) is another network.
        Atelier.Evaluation.Tests.TinyOnnx.Write(tiny, size: 24);
        Assert.StartsWith("atelier: image 1 has no onnx:tiny:", cli.Run("images", "similar", "1", "--features", "onnx:" + tiny, "--output", "mean").Error.Trim());
    }
}
