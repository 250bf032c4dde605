using Atelier.Evaluation.Features;
using Atelier.TestSupport;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Atelier.Evaluation.Tests;

/// <summary>The onnx:PATH loading path on a network the tests write (TinyOnnx), with known features.</summary>
public class FeatureExtractorTests
{
    private static RgbImage Solid(int size, byte r, byte g, byte b)
    {
        var pixels = new byte[size * size * 3];
        for (int i = 0; i < pixels.Length; i += 3) (pixels[i], pixels[i + 1], pixels[i + 2]) = (r, g, b);
        return new RgbImage(pixels, size, size);
    }

    internal static RgbImage Pattern(int size, int seed)
    {
        var rgba = SyntheticImages.Pattern(size, size, seed).Pixels;
        var rgb = new byte[size * size * 3];
        for (int i = 0, j = 0; i < rgb.Length; i += 3, j += 4) (rgb[i], rgb[i + 1], rgb[i + 2]) = (rgba[j], rgba[j + 1], rgba[j + 2]);
        return new RgbImage(rgb, size, size);
    }

    private static FeatureNetwork Tiny(TempDir dir, string? output = "mean", string? mean = null, string? std = null, int? size = null, string? input = null) =>
        FeatureNetwork.Parse("onnx:" + TinyOnnx.Write(Path.Combine(dir.Path, "tiny.onnx")), input, output, size, mean, std, dir.Path);

    [Fact]
    public void FeaturesOfATinyNetworkAreTheNormalisedChannelMeans()
    {
        using var dir = new TempDir();
        using var extractor = FeatureExtractor.Open(Tiny(dir, mean: "0.5,0.25,0", std: "0.5,0.5,2"));
        Assert.Equal(16, extractor.Size);
        Assert.Equal(3, extractor.Dimension);
        Assert.True(extractor.BatchRewritten);
        // A solid 40x40 image stays solid through the resize to 16x16: the features are ((v/255 - mean) / std) per channel, in RGB order.
        var features = extractor.Extract([Solid(40, 255, 51, 102)], TestContext.Current.CancellationToken);
        Assert.Equal((255 / 255f - 0.5f) / 0.5f, features[0][0], 5);
        Assert.Equal((51 / 255f - 0.25f) / 0.5f, features[0][1], 5);
        Assert.Equal((102 / 255f - 0f) / 2f, features[0][2], 5);
    }

    [Fact]
    public void ChoosingAnotherOutputGivesItsFeatures()
    {
        using var dir = new TempDir();
        using var extractor = FeatureExtractor.Open(Tiny(dir, output: "peak"));
        var image = Pattern(16, 3);
        var features = extractor.Extract([image], TestContext.Current.CancellationToken);
        for (int c = 0; c < 3; c++)
        {
            int max = 0;
            for (int i = c; i < image.Pixels.Length; i += 3) max = Math.Max(max, image.Pixels[i]);
            Assert.Equal(max / 255f, features[0][c], 5);
        }
    }

    [Fact]
    public void BatchedParallelFeaturesEqualTheBatchOfOneLoopInOrder()
    {
        using var dir = new TempDir();
        var network = Tiny(dir);
        var images = Enumerable.Range(0, 37).Select(i => Pattern(24, i)).ToList();
        using var batched = FeatureExtractor.Open(network, new ExtractorOptions(Batch: 8, Workers: 3));
        using var loop = FeatureExtractor.Open(network, ExtractorOptions.BatchOneLoop);
        Assert.False(loop.BatchRewritten);
        Assert.Equal(1, loop.Batch);
        var a = batched.Extract(images, TestContext.Current.CancellationToken);
        var b = loop.Extract(images, TestContext.Current.CancellationToken);
        for (int i = 0; i < images.Count; i++) Assert.Equal(b[i], a[i]);
        // The same image gives the same features wherever it sits in a batch.
        var again = batched.Extract([images[5], images[0], images[5]], TestContext.Current.CancellationToken);
        Assert.Equal(a[5], again[0]);
        Assert.Equal(a[5], again[2]);
    }

    [Fact]
    public void BadNetworksAndSettingsAreRefusedWithTheReason()
    {
        using var dir = new TempDir();
        string Refusal(Func<FeatureNetwork> make)
        {
            var e = Assert.Throws<EvaluationException>(() => { using var _ = FeatureExtractor.Open(make()); });
            Assert.DoesNotContain('\n', e.Message);
            return e.Message;
        }
        Assert.Contains("has 2 outputs (mean, peak): say which with --output", Refusal(() => Tiny(dir, output: null)));
        Assert.Contains("has no output 'logits' (its outputs: mean, peak)", Refusal(() => Tiny(dir, output: "logits")));
        Assert.Contains("has no input 'data' (its inputs: pixels)", Refusal(() => Tiny(dir, input: "data")));
        Assert.Contains("so --size must be 16, not 32", Refusal(() => Tiny(dir, size: 32)));
        var junk = dir.Write("junk.onnx", [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]);
        Assert.Contains("is not an ONNX model", Refusal(() => FeatureNetwork.Parse("onnx:" + junk, null, null, null, null, null, dir.Path)));

        string ParseRefusal(string? features, string? input = null, string? mean = null, string? std = null, int? size = null) =>
            Assert.Throws<EvaluationException>(() => FeatureNetwork.Parse(features, input, null, size, mean, std, dir.Path)).Message;
        Assert.Contains("no file", ParseRefusal("onnx:missing.onnx"));
        Assert.Contains("must be resnet18 or onnx:PATH", ParseRefusal("inception"));
        Assert.Contains("give it with --features onnx:PATH", ParseRefusal("resnet18", input: "x"));
        TinyOnnx.Write(Path.Combine(dir.Path, "t.onnx"));
        Assert.Contains("must be three numbers", ParseRefusal("onnx:t.onnx", mean: "0.5,0.5"));
        Assert.Contains("three positive numbers", ParseRefusal("onnx:t.onnx", std: "1,0,1"));
        Assert.Contains("outside 8..1024", ParseRefusal("onnx:t.onnx", size: 4));
    }
}

/// <summary>The built-in ResNet18 of Microsoft.ML.DnnImageFeaturizer.ResNet18.</summary>
public class ResNet18Tests
{
    [Fact]
    public void LoadsWithAFreeBatchAnd512Features()
    {
        using var extractor = FeatureExtractor.Open(FeatureNetwork.Default());
        Assert.Equal(512, extractor.Dimension);
        Assert.Equal(224, extractor.Size);
        Assert.True(extractor.BatchRewritten);
        Assert.Equal("FD-ResNet18", extractor.Network.DistanceName);
    }

    [Fact]
    public void PreprocessingIsWhatThePackagesResNetPreprocessOnnxDoes()
    {
        // The package's own graph: 0-255 planar RGB in, BGR minus the mean image out. Ours must match it exactly.
        var network = FeatureNetwork.Default();
        var image = FeatureExtractorTests.Pattern(64, 11);
        var ours = new float[3 * 224 * 224];
        NetworkInput.Write(image.Pixels, image.Width, image.Height, network, 224, ours);

        var plain = network with { Order = ChannelOrder.Rgb, Mean = [0f, 0f, 0f] };
        var rgb = new float[3 * 224 * 224];
        NetworkInput.Write(image.Pixels, image.Width, image.Height, plain, 224, rgb);
        var prep = Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        using var session = new InferenceSession(prep);
        using var result = session.Run([NamedOnnxValue.CreateFromTensor("OriginalInput", new DenseTensor<float>(rgb, [1, 3, 224, 224]))]);
        var theirs = result[0].AsTensor<float>().ToArray();
        Assert.Equal(theirs, ours);
        // And it is not a no-op: the planes really are swapped and shifted.
        Assert.NotEqual(rgb, ours);
    }

    [Fact]
    public void FeaturesOfTheSameImageAreTheSame()
    {
        using var extractor = FeatureExtractor.Open(FeatureNetwork.Default(), new ExtractorOptions(Batch: 4, Workers: 2));
        var a = FeatureExtractorTests.Pattern(32, 1);
        var b = FeatureExtractorTests.Pattern(32, 2);
        var first = extractor.Extract([a, b, a], TestContext.Current.CancellationToken);
        var second = extractor.Extract([a], TestContext.Current.CancellationToken);
        Assert.Equal(first[0], first[2]);
        Assert.Equal(first[0], second[0]);
        Assert.NotEqual(first[0], first[1]);
        Assert.All(first[0], v => Assert.True(float.IsFinite(v) && v >= 0, $"pooled ReLU features are finite and non-negative, got {v}"));

        // The model as shipped, one image a call, agrees with the rewritten, batched one.
        using var loop = FeatureExtractor.Open(FeatureNetwork.Default(), ExtractorOptions.BatchOneLoop);
        var plain = loop.Extract([b], TestContext.Current.CancellationToken);
        for (int k = 0; k < 512; k++) Assert.True(Math.Abs(plain[0][k] - first[1][k]) <= 1e-4f * Math.Max(1, Math.Abs(plain[0][k])), $"feature {k}: {plain[0][k]} vs {first[1][k]}");
    }
}
