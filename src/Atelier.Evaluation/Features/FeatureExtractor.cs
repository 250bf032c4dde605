using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Atelier.Evaluation.Features;

/// <summary>How images are fed to the network.</summary>
/// <param name="Batch">Images per call. Above 1 the model's batch dimension is made dynamic first when it is fixed at 1.</param>
/// <param name="Workers">Calls running at once on one session (0: one per core); each call's operators then use cores/workers threads.</param>
public sealed record ExtractorOptions(int Batch = 8, int Workers = 0)
{
    /// <summary>The plain way, the benchmark's baseline: one image per call, the model as shipped, operators on all cores.</summary>
    public static ExtractorOptions BatchOneLoop => new(1, 1);
}

/// <summary>An image as the extractor takes it: uint8 HWC RGB.</summary>
public readonly record struct RgbImage(byte[] Pixels, int Width, int Height);

/// <summary>
/// An ONNX feature network loaded into ONNX Runtime. Many exported image networks (the built-in ResNet18
/// among them) fix their batch dimension at 1; feeding one image per call leaves most of the CPU idle, so
/// the batch dimension of the graph's inputs, outputs and intermediate shapes is rewritten to a free
/// one (OnnxSharp's SetDim) before the session is made, and several batches run at once on the one
/// session (Run is thread-safe). The rewritten model is checked on load: a batch of two must come back
/// as two feature vectors equal to the same images fed one at a time (docs/BENCHMARKS.md has the gain).
/// </summary>
public sealed class FeatureExtractor : IDisposable
{
    private readonly InferenceSession _session;
    private readonly int _workers;

    private FeatureExtractor(FeatureNetwork network, InferenceSession session, string input, string output, int size, int batch, int workers, bool rewritten)
    {
        Network = network;
        _session = session;
        InputName = input;
        OutputName = output;
        Size = size;
        Batch = batch;
        _workers = workers;
        BatchRewritten = rewritten;
    }

    public FeatureNetwork Network { get; }
    public string InputName { get; }
    public string OutputName { get; }
    public int Size { get; }
    public int Dimension { get; private set; }

    /// <summary>
    /// What the vectors it makes are stored under in the catalog ("more like this"): the built-in's name, or for another
    /// network onnx:NAME:KEY with the first 12 hex digits of its <see cref="FeatureNetwork.CacheKey"/> (the model's bytes,
    /// the output chosen, the preprocessing), so that vectors of two networks are never compared.
    /// </summary>
    public string VectorName => Network.BuiltIn ? Network.Name : $"onnx:{Network.Name}:{Network.CacheKey(Size, InputName, OutputName)[..12]}";
    public int Batch { get; }
    public int Workers => _workers;
    /// <summary>True when the model's fixed batch of 1 was rewritten to a free dimension.</summary>
    public bool BatchRewritten { get; }

    public static FeatureExtractor Open(FeatureNetwork network, ExtractorOptions? options = null)
    {
        options ??= new ExtractorOptions();
        if (options.Batch is < 1 or > 256) throw new EvaluationException("usage", $"batch {options.Batch} is outside 1..256");
        int workers = options.Workers > 0 ? options.Workers : Environment.ProcessorCount;
        byte[] bytes = File.ReadAllBytes(network.ModelPath);
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw Bad(network, $"is not an ONNX model ({e.Message})"); }
        if (model.Graph is null) throw Bad(network, "is not an ONNX model (no graph)");

        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        var input = Pick(network, inputs, network.InputName, "input", "--input");
        var output = Pick(network, model.Graph.Output.ToList(), network.OutputName, "output", "--output");
        var dims = input.Type?.TensorType?.Shape?.Dim.ToList() ?? [];
        if (input.Type?.TensorType is null || input.Type.TensorType.ElemType != (int)TensorProto.Types.DataType.Float)
            throw Bad(network, $"input '{input.Name}' is not a float tensor");
        if (dims.Count != 4 || (Fixed(dims[1]) is { } channels && channels != 3))
            throw Bad(network, $"input '{input.Name}' is {Shape(dims)}, not [batch,3,height,width] images");
        int? declared = null;
        if (Fixed(dims[2]) is { } h && Fixed(dims[3]) is { } w)
            declared = h == w ? (int)h : throw Bad(network, $"input '{input.Name}' is {Shape(dims)}: only square inputs are supported");
        if (declared is { } d && network.Size is { } s && s != d)
            throw Bad(network, $"input '{input.Name}' is {Shape(dims)}, so --size must be {d}, not {s}");
        int size = network.Size ?? declared ?? throw Bad(network, $"input '{input.Name}' has a free image size ({Shape(dims)}): say which with --size N");
        if (network.Mean.Length != 3 && network.Mean.Length != 3 * size * size)
            throw Bad(network, $"the mean has {network.Mean.Length} values, which fits neither 3 channels nor a {size}x{size} mean image");

        var batchDim = Fixed(dims[0]);
        if (batchDim is > 1) throw Bad(network, $"input '{input.Name}' fixes its batch at {batchDim}: export it with batch 1 or a free batch dimension");
        bool rewrite = options.Batch > 1 && batchDim == 1;
        if (rewrite)
        {
            model.Graph.SetDim();
            bytes = model.ToByteArray();
        }
        int batch = batchDim == 1 && !rewrite ? 1 : options.Batch;

        var session = CreateSession(network, bytes, workers);
        try
        {
            var extractor = new FeatureExtractor(network, session, input.Name, output.Name, size, batch, workers, rewrite);
            extractor.Dimension = extractor.CheckedDimension();
            return extractor;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The feature vector of each image, in order.</summary>
    public float[][] Extract(IReadOnlyList<RgbImage> images, CancellationToken cancellation = default)
    {
        var result = new float[images.Count][];
        var chunks = Enumerable.Range(0, (images.Count + Batch - 1) / Batch).ToList();
        Parallel.ForEach(chunks, new ParallelOptions { MaxDegreeOfParallelism = _workers, CancellationToken = cancellation }, chunk =>
        {
            int start = chunk * Batch, n = Math.Min(Batch, images.Count - start);
            var features = Run(Enumerable.Range(start, n).Select(i => images[i]).ToList());
            for (int k = 0; k < n; k++) result[start + k] = features[k];
        });
        return result;
    }

    private float[][] Run(IReadOnlyList<RgbImage> images)
    {
        int n = images.Count, planeValues = 3 * Size * Size;
        var data = new float[n * planeValues];
        for (int k = 0; k < n; k++)
        {
            var image = images[k];
            NetworkInput.Write(image.Pixels, image.Width, image.Height, Network, Size, data.AsSpan(k * planeValues, planeValues));
        }
        var tensor = new DenseTensor<float>(data, [n, 3, Size, Size]);
        try
        {
            using var results = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, tensor)], [OutputName]);
            var output = results[0].AsTensor<float>();
            if (output.Dimensions.Length < 1 || output.Dimensions[0] != n)
                throw Bad(Network, $"output '{OutputName}' came back as [{string.Join(",", output.Dimensions.ToArray())}] for a batch of {n}");
            var flat = output.ToArray();
            int d = flat.Length / n;
            if (Dimension != 0 && d != Dimension) throw Bad(Network, $"output '{OutputName}' has {d} values per image, not {Dimension}");
            return Enumerable.Range(0, n).Select(k => flat.AsSpan(k * d, d).ToArray()).ToArray();
        }
        catch (OnnxRuntimeException e)
        {
            throw Bad(Network, $"failed on a batch of {n} ({CliLine(e.Message)})");
        }
    }

    /// <summary>
    /// Runs two different images as one batch and one at a time: the features must agree (a graph whose shapes
    /// still assume a batch of 1 fails here, not in the middle of an evaluation). Returns the feature dimension.
    /// </summary>
    private int CheckedDimension()
    {
        var a = Probe(Size, 0);
        var b = Probe(Size, 1);
        var single = Run([a]);
        if (single[0].Length == 0) throw Bad(Network, $"output '{OutputName}' is empty");
        if (Batch == 1) return single[0].Length;
        var pair = Run([a, b]);
        var second = Run([b]);
        for (int k = 0; k < single[0].Length; k++)
            if (!Close(pair[0][k], single[0][k]) || !Close(pair[1][k], second[0][k]))
                throw Bad(Network, "gives different features for an image in a batch than alone (its graph assumes a batch of 1); use a model with a free batch dimension");
        return single[0].Length;
    }

    private static bool Close(float x, float y) => Math.Abs(x - y) <= 1e-4f * Math.Max(1f, Math.Max(Math.Abs(x), Math.Abs(y)));

    private static RgbImage Probe(int size, int seed)
    {
        var pixels = new byte[size * size * 3];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)(seed == 0 ? i * 7 % 251 : (i / 3 % size) * 255 / size);
        return new RgbImage(pixels, size, size);
    }

    private static InferenceSession CreateSession(FeatureNetwork network, byte[] bytes, int workers)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, Environment.ProcessorCount / workers),
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try { return new InferenceSession(bytes, options); }
        catch (OnnxRuntimeException e) { throw Bad(network, $"cannot be loaded by ONNX Runtime ({CliLine(e.Message)})"); }
        finally { options.Dispose(); }
    }

    private static ValueInfoProto Pick(FeatureNetwork network, List<ValueInfoProto> candidates, string? name, string what, string option)
    {
        if (name is not null)
            return candidates.FirstOrDefault(v => v.Name == name)
                ?? throw Bad(network, $"has no {what} '{name}' (its {what}s: {string.Join(", ", candidates.Select(v => v.Name))})");
        if (candidates.Count == 1) return candidates[0];
        throw Bad(network, $"has {candidates.Count} {what}s ({string.Join(", ", candidates.Select(v => v.Name))}): say which with {option} NAME");
    }

    private static long? Fixed(TensorShapeProto.Types.Dimension d) =>
        d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : null;

    private static string Shape(List<TensorShapeProto.Types.Dimension> dims) =>
        "[" + string.Join(",", dims.Select(d => Fixed(d)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? (d.DimParam is { Length: > 0 } p ? p : "?"))) + "]";

    private static string CliLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private static EvaluationException Bad(FeatureNetwork network, string why) =>
        new("bad-features", $"feature network {network.ModelPath} {why}");

    public void Dispose() => _session.Dispose();
}
