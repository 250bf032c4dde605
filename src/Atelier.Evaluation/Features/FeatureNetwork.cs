using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Onnx;

namespace Atelier.Evaluation.Features;

/// <summary>Which order the network wants the colour planes in.</summary>
public enum ChannelOrder
{
    Rgb,
    Bgr,
}

/// <summary>
/// A feature network and how images are fed to it: resized (Atelier.Imaging's Mitchell–Netravali cubic,
/// antialiased when shrinking) to <see cref="Size"/> square, planar in <see cref="Order"/>, each 0–255
/// value v becoming (v·<see cref="Scale"/> - mean) / std. <see cref="Mean"/> holds 3 values (one per plane,
/// in the network's order) or 3·Size·Size (a mean image, as the built-in ResNet18 uses).
/// </summary>
public sealed record FeatureNetwork(string Name, string ModelPath, string? InputName, string? OutputName, int? Size,
    ChannelOrder Order, float Scale, float[] Mean, float[] Std)
{
    public const string DefaultName = "ResNet18";

    /// <summary>The network shipped with Atelier (<see cref="Default"/>), not a user's file that may carry the same name.</summary>
    public bool BuiltIn { get; init; }

    /// <summary>What a distance on these features is called: FD-ResNet18, never FID (which is Inception-v3's and its own preprocessing).</summary>
    public string DistanceName => $"FD-{Name}";

    /// <summary>
    /// The built-in: ResNet18 (CNTK, ImageNet) from NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, 512 features
    /// from its global average pool. It expects what that package's ResNetPreprocess.onnx makes from 0–255 planar RGB:
    /// the planes reordered to BGR and a 224x224 per-pixel ImageNet mean image subtracted (no scaling, no std). That
    /// mean image is read from ResNetPreprocess.onnx itself, so the preprocessing is the package's, done here in C#.
    /// </summary>
    public static FeatureNetwork Default()
    {
        string models = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        string model = Path.Combine(models, "ResNet18Onnx", "ResNet18.onnx");
        string prep = Path.Combine(models, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        if (!File.Exists(model) || !File.Exists(prep))
            throw new EvaluationException("features-missing", $"the built-in ResNet18 is not beside the program ({model}); rebuild, or give --features onnx:PATH");
        return new FeatureNetwork(DefaultName, model, "Input247", "Pooling395_Output_0", 224, ChannelOrder.Bgr, 1f, ReadMeanImage(prep), [1f, 1f, 1f]) { BuiltIn = true };
    }

    /// <summary>
    /// <c>resnet18</c> (the default) or <c>onnx:PATH</c> with optional input and output names, size, and
    /// per-channel mean and std of 0–1 RGB values (torchvision's convention: ImageNet networks take
    /// --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225; for [-1,1] give --mean 0.5,0.5,0.5 --std 0.5,0.5,0.5).
    /// </summary>
    public static FeatureNetwork Parse(string? features, string? input, string? output, int? size, string? mean, string? std, string currentDirectory)
    {
        if (features is null or "resnet18" or "default")
        {
            if (input is not null || output is not null || size is not null || mean is not null || std is not null)
                throw new EvaluationException("usage", "--input, --output, --size, --mean and --std describe another network: give it with --features onnx:PATH");
            return Default();
        }
        if (!features.StartsWith("onnx:", StringComparison.Ordinal) || features.Length == 5)
            throw new EvaluationException("usage", $"--features '{features}' must be resnet18 or onnx:PATH");
        string path = Path.GetFullPath(features[5..], currentDirectory);
        if (!File.Exists(path)) throw new EvaluationException("features-missing", $"--features: no file {path}");
        if (size is < 8 or > 1024) throw new EvaluationException("usage", $"--size {size} is outside 8..1024");
        return new FeatureNetwork(Path.GetFileNameWithoutExtension(path), path, input, output, size, ChannelOrder.Rgb, 1f / 255,
            ParseTriple(mean, "--mean", 0f), ParseTriple(std, "--std", 1f));
    }

    /// <summary>
    /// What identifies these features for the reference cache: the model's bytes, the names, the
    /// preprocessing and the resizer's version. Another file or any other setting is another cache entry.
    /// </summary>
    public string CacheKey(int size, string input, string output)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var file = File.OpenRead(ModelPath)) sha.AppendData(SHA256.HashData(file));
        sha.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{input}|{output}|{size}|{Order}|{Scale:R}|{ResizeFilter}|{Mean.Length}|{Std.Length}|")));
        foreach (var v in Mean.Concat(Std)) sha.AppendData(BitConverter.GetBytes(v));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The resize every image takes on its way in (names the filter and its version in the cache key).</summary>
    public const string ResizeFilter = "atelier-mitchell-netravali-1";

    private static float[] ParseTriple(string? text, string option, float fill)
    {
        if (text is null) return [fill, fill, fill];
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new float[3];
        if (parts.Length != 3 || parts.Select((p, i) => float.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).Any(ok => !ok))
            throw new EvaluationException("usage", $"{option} '{text}' must be three numbers a,b,c (one per R, G, B)");
        if (option == "--std" && values.Any(v => !(v > 0) || float.IsInfinity(v)))
            throw new EvaluationException("usage", $"--std '{text}' must be three positive numbers");
        if (values.Any(v => !float.IsFinite(v))) throw new EvaluationException("usage", $"{option} '{text}' must be finite numbers");
        return values;
    }

    private static float[] ReadMeanImage(string preprocessPath)
    {
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(preprocessPath));
        var mean = model.Graph.Initializer.FirstOrDefault(t => t.Name == "MeanImage")
            ?? throw new EvaluationException("features-missing", $"{preprocessPath} has no MeanImage");
        var values = mean.FloatData.Count > 0 ? mean.FloatData.ToArray() : ReadRawFloats(mean.RawData.Span);
        if (values.Length != 3 * 224 * 224) throw new EvaluationException("features-missing", $"{preprocessPath}: MeanImage has {values.Length} values, not 3x224x224");
        return values;
    }

    private static float[] ReadRawFloats(ReadOnlySpan<byte> raw)
    {
        var values = new float[raw.Length / 4];
        for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle(raw[(4 * i)..]);
        return values;
    }
}
