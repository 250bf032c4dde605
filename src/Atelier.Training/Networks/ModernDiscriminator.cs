using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// R3GAN-style discriminator, the generator mirrored: a 1x1 conv from RGB, per stage 2 residual
/// blocks, then antialiased bilinear downsampling and a 1x1 conv where the width changes; at 4x4 a
/// per-channel 4x4 conv pools the features and a linear layer gives the logit. With labels a
/// projection term &lt;embed(labels), features&gt; (Miyato &amp; Koyama 2018) is added.
/// </summary>
public sealed class ModernDiscriminator : Discriminator
{
    readonly Conv2d fromRgb;
    readonly ModuleList<Sequential> stages;
    readonly Conv2d?[] transitions;   // [i]: width change out of stage i, null where the width stays
    readonly Conv2d pool;
    readonly Linear head;
    readonly Linear? labelProjection;

    public ModernDiscriminator(NetworkSpec spec, TorchSharp.torch.Generator? random = null) : base(nameof(ModernDiscriminator), spec)
    {
        int[] channels = [.. ModernLayout.Channels(spec.Resolution, spec.Width).Reverse()];
        int blocks = channels.Length * ModernLayout.BlocksPerStage;
        fromRgb = nn.Conv2d(3, channels[0], 1);
        ModernLayout.InitLinear(fromRgb.weight!, fromRgb.bias, random);
        stages = new ModuleList<Sequential>();
        transitions = new Conv2d?[channels.Length];
        for (int i = 0; i < channels.Length; i++)
        {
            stages.Add(nn.Sequential(Enumerable.Range(0, ModernLayout.BlocksPerStage)
                .Select(_ => (nn.Module<Tensor, Tensor>)new ResidualBlock(channels[i], blocks, random))));
            if (i + 1 < channels.Length && channels[i + 1] != channels[i])
            {
                var t = nn.Conv2d(channels[i], channels[i + 1], 1, bias: false);
                ModernLayout.InitLinear(t.weight!, null, random);
                transitions[i] = t;
            }
        }
        int top = channels[^1];
        pool = nn.Conv2d(top, top, 4, groups: top, bias: false);
        ModernLayout.InitLinear(pool.weight!, null, random);
        head = nn.Linear(top, 1, hasBias: false);
        ModernLayout.InitLinear(head.weight!, null, random);
        if (spec.LabelDim > 0)
        {
            labelProjection = nn.Linear(spec.LabelDim, top, hasBias: false);
            using (no_grad()) labelProjection.weight!.normal_(0, 1 / Math.Sqrt(top), random);
        }
        RegisterComponents();
        for (int i = 0; i < transitions.Length; i++)
            if (transitions[i] is { } t) register_module($"transition{i}", t);
    }

    /// <summary>Each stage with the width change out of it; the first with the 1x1 conv from RGB.</summary>
    public override IReadOnlyList<IReadOnlyList<Parameter>> Blocks =>
        [.. Enumerable.Range(0, stages.Count).Select(i => (IReadOnlyList<Parameter>)
            [.. (i == 0 ? fromRgb.parameters() : []).Concat(stages[i].parameters()).Concat(transitions[i]?.parameters() ?? [])])];

    public override Tensor forward(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var x = fromRgb.forward(images);
        for (int i = 0; i < stages.Count; i++)
        {
            x = stages[i].forward(x);
            if (i + 1 < stages.Count)
            {
                x = Resample.Down(x);
                // Change width after downsampling, where the 1x1 conv is 4x cheaper.
                if (transitions[i] is { } t) x = t.forward(x);
            }
        }
        var features = pool.forward(x).flatten(1);
        var logits = head.forward(features).flatten();
        if (labelProjection is not null)
            logits = logits + (labelProjection.forward(labels) * features).sum(1);
        return scope.MoveToOuter(logits);
    }
}
