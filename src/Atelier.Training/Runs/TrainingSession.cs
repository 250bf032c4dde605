using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Training.Augmentation;
using Atelier.Training.Checkpoints;
using Atelier.Training.Data;
using Atelier.Training.Networks;
using TorchSharp;
using static TorchSharp.torch;
using Generator = Atelier.Training.Networks.Generator;

namespace Atelier.Training.Runs;

/// <summary>
/// Everything a run carries from step to step: the three networks, both optimizers, the augmentation
/// state and the counters. It turns into a checkpoint and back, exactly.
/// </summary>
public sealed class TrainingSession : IDisposable
{
    public const string Format = "atelier.checkpoint/1";

    private TrainingSession(TrainingOptions options, LabelSpace labels, string snapshotRoot, Device device)
    {
        Options = options;
        Labels = labels;
        SnapshotRoot = snapshotRoot;
        Device = device;
        Spec = NetworkSpec.Default(options.Model, options.Resolution, labels.Dim);
        Random = new torch.Generator(options.Seed, CPU);
        G = GanNetworks.CreateGenerator(Spec, Random);
        D = GanNetworks.CreateDiscriminator(Spec, Random);
        GEma = GanNetworks.CreateGenerator(Spec, Random);
        G.to(device);
        D.to(device);
        GEma.to(device);
        Average = new GeneratorAverage(G, GEma);
        OptimizerG = optim.Adam(G.parameters(), options.LearningRateG, options.Beta1, options.Beta2);
        D.Freeze(options.FreezeD);
        OptimizerD = optim.Adam(D.Trainable(), options.LearningRateD, options.Beta1, options.Beta2);
        Augment = ParseAugment(options.Augment, out var adaptive);
        if (adaptive) Adaptive = new AdaptiveAugment(initialP: 0);
    }

    public TrainingOptions Options { get; private set; }
    public LabelSpace Labels { get; }
    public string SnapshotRoot { get; }
    public Device Device { get; }
    public NetworkSpec Spec { get; }
    public Generator G { get; }
    public Discriminator D { get; }
    public Generator GEma { get; }
    /// <summary>
    /// The run's own random numbers (initial weights, latents, augmentation), seeded by the run's seed
    /// and saved in its checkpoints. Not torch's process-wide generator: another training in the same
    /// process would draw from that one too, and the numbers would depend on what else runs.
    /// </summary>
    public torch.Generator Random { get; }
    public GeneratorAverage Average { get; }
    public optim.Optimizer OptimizerG { get; }
    public optim.Optimizer OptimizerD { get; }
    public AdaptiveAugment? Adaptive { get; }
    /// <summary>The fixed augmentation probability, or null for adaptive.</summary>
    public double? Augment { get; }
    public long Images { get; set; }
    public long Steps { get; set; }

    /// <summary>
    /// The current tick's per-step values summed so far, and how many steps they cover. They are part
    /// of a checkpoint, so a run stopped between ticks (Ctrl-C) logs the same averages once resumed.
    /// </summary>
    public Dictionary<string, double> TickSums { get; } = new(StringComparer.Ordinal);
    public int TickSteps { get; set; }

    public double AugmentP => Adaptive?.P ?? Augment ?? 0;

    /// <summary>Sets both optimizers' learning rate and beta2 to what the schedule says at the current image count.</summary>
    public ScheduledValues ApplySchedule()
    {
        var now = TrainingSchedule.At(Options, Images);
        foreach (var (optimizer, rate) in new[] { (OptimizerG, now.LearningRateG), (OptimizerD, now.LearningRateD) })
            foreach (var group in optimizer.ParamGroups.Cast<TorchSharp.Modules.Adam.ParamGroup>())
            {
                group.LearningRate = rate;
                group.Betas = (Options.Beta1, now.Beta2);
            }
        return now;
    }

    /// <summary>Fresh networks, seeded so that the same options give the same initial weights.</summary>
    public static TrainingSession Create(TrainingOptions options, LabelSpace labels, string snapshotRoot, Device device) =>
        new(options, labels, snapshotRoot, device);

    /// <summary>A session restored from a checkpoint; <paramref name="kimg"/> may lengthen the run, <paramref name="limits"/> change its early stop and budgets.</summary>
    public static TrainingSession Restore(CheckpointContent checkpoint, Device device, double? kimg = null, Func<TrainingOptions, TrainingOptions>? limits = null)
    {
        var (header, options, labels) = ReadHeader(checkpoint);
        if (kimg is { } k) options = options with { Kimg = k };
        if (limits is not null) options = limits(options);
        var session = new TrainingSession(options, labels, (string)header["snapshotRoot"]!, device)
        {
            Images = (long)header["images"]!,
            Steps = (long)header["steps"]!,
        };
        TorchState.Load(session.G, Section(checkpoint, "G"));
        TorchState.Load(session.D, Section(checkpoint, "D"));
        TorchState.Load(session.GEma, Section(checkpoint, "G_ema"));
        TorchState.Load(session.OptimizerG, Section(checkpoint, "optimizer_G"));
        TorchState.Load(session.OptimizerD, Section(checkpoint, "optimizer_D"));
        if (header["tick"] is JsonObject tick)
        {
            session.TickSteps = (int)tick["steps"]!;
            foreach (var (key, value) in tick["sums"]!.AsObject()) session.TickSums[key] = (double)value!;
        }
        if (session.Adaptive is { } ada && header["adaptive"] is JsonObject state)
            ada.Restore(state.Deserialize<AdaptiveAugmentState>(TrainingOptions.Json)!);
        TorchState.LoadRng(session.Random, Section(checkpoint, "rng"));
        return session;
    }

    /// <summary>
    /// Takes G, D and G_ema from another run's checkpoint (--init-from) and nothing else: the optimizers, counters,
    /// augmentation state and random numbers stay this session's own. The shapes must fit (checked before, by spec).
    /// </summary>
    public void LoadNetworks(CheckpointContent checkpoint)
    {
        TorchState.Load(G, Section(checkpoint, "G"));
        TorchState.Load(D, Section(checkpoint, "D"));
        TorchState.Load(GEma, Section(checkpoint, "G_ema"));
    }

    /// <summary>The options and label space a checkpoint was trained with (what its networks' shapes follow from).</summary>
    public static (TrainingOptions Options, LabelSpace Labels) ReadArchitecture(CheckpointContent checkpoint)
    {
        var (_, options, labels) = ReadHeader(checkpoint);
        return (options, labels);
    }

    /// <summary>The generator average alone, for sampling and export.</summary>
    public static (Generator Generator, TrainingOptions Options, LabelSpace Labels) LoadGenerator(CheckpointContent checkpoint, Device device)
    {
        var (_, options, labels) = ReadHeader(checkpoint);
        // The initial weights are overwritten by the saved ones: drawn from a throwaway generator, so
        // loading a model takes nothing from anyone else's random numbers.
        using var scratch = new torch.Generator(0, CPU);
        var g = GanNetworks.CreateGenerator(NetworkSpec.Default(options.Model, options.Resolution, labels.Dim), scratch);
        TorchState.Load(g, Section(checkpoint, "G_ema"));
        g.to(device);
        g.eval();
        return (g, options, labels);
    }

    public CheckpointContent ToCheckpoint(string software, double? score)
    {
        var header = new JsonObject
        {
            ["format"] = Format,
            ["software"] = software,
            ["options"] = JsonNode.Parse(Options.ToJson()),
            ["labels"] = JsonSerializer.SerializeToNode(Labels, TrainingOptions.Json),
            ["snapshotRoot"] = SnapshotRoot,
            ["images"] = Images,
            ["steps"] = Steps,
            ["augmentP"] = AugmentP,
            ["score"] = score,
        };
        if (TickSteps > 0)
        {
            var sums = new JsonObject();
            foreach (var (key, value) in TickSums.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sums[key] = value;
            header["tick"] = new JsonObject { ["steps"] = TickSteps, ["sums"] = sums };
        }
        if (Adaptive is { } ada) header["adaptive"] = JsonSerializer.SerializeToNode(ada.Capture(), TrainingOptions.Json);
        var sections = new Dictionary<string, byte[]>
        {
            ["G"] = TorchState.Save(G),
            ["D"] = TorchState.Save(D),
            ["G_ema"] = TorchState.Save(GEma),
            ["optimizer_G"] = TorchState.Save(OptimizerG),
            ["optimizer_D"] = TorchState.Save(OptimizerD),
            ["rng"] = TorchState.SaveRng(Random),
        };
        return new CheckpointContent(header.ToJsonString(), sections);
    }

    private static (JsonObject Header, TrainingOptions Options, LabelSpace Labels) ReadHeader(CheckpointContent checkpoint)
    {
        var header = JsonNode.Parse(checkpoint.HeaderJson)!.AsObject();
        if ((string?)header["format"] != Format)
            throw new TrainingException("bad-checkpoint", $"the checkpoint is not an {Format} file (format '{header["format"]}')");
        return (header, TrainingOptions.FromJson(header["options"]!.ToJsonString()), header["labels"].Deserialize<LabelSpace>(TrainingOptions.Json)!);
    }

    private static byte[] Section(CheckpointContent c, string name) =>
        c.Sections.TryGetValue(name, out var bytes) ? bytes : throw new TrainingException("bad-checkpoint", $"the checkpoint has no '{name}' section");

    private static double? ParseAugment(string text, out bool adaptive)
    {
        adaptive = text == "ada";
        if (adaptive) return null;
        if (text == "none") return 0;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1) return p;
        throw new TrainingException("bad-augment", $"--augment '{text}' must be ada, none, or a probability between 0 and 1");
    }

    public void Dispose()
    {
        G.Dispose();
        D.Dispose();
        GEma.Dispose();
        OptimizerG.Dispose();
        OptimizerD.Dispose();
        Random.Dispose();
    }
}
