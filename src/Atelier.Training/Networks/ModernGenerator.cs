using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// R3GAN-style generator: a learned 4x4 basis modulated by a linear map of z (and of the label
/// embedding, concatenated), then per stage 2 residual blocks, with bilinear upsampling and a 1x1
/// conv where the width changes, and a 1x1 conv to RGB. No normalisation and no tanh while training
/// (R3GAN: tanh saturates gradients); in eval mode the output is clamped to [-1, 1] for sampling.
/// </summary>
public sealed class ModernGenerator : Generator
{
    readonly Parameter basis;
    readonly Linear basisWeights;
    readonly Linear? labelEmbedding;
    readonly ModuleList<Sequential> stages;
    readonly Conv2d?[] transitions;   // [i]: width change into stage i, null where the width stays
    readonly Conv2d toRgb;

    public ModernGenerator(NetworkSpec spec, TorchSharp.torch.Generator? random = null) : base(nameof(ModernGenerator), spec)
    {
        int[] channels = ModernLayout.Channels(spec.Resolution, spec.Width);
        int blocks = channels.Length * ModernLayout.BlocksPerStage;
        int input = spec.LatentDim + (spec.LabelDim > 0 ? spec.LatentDim : 0);
        basis = new Parameter(randn([channels[0], 4, 4], generator: random));
        basisWeights = nn.Linear(input, channels[0], hasBias: false);
        ModernLayout.InitLinear(basisWeights.weight!, null, random);
        if (spec.LabelDim > 0)
        {
            labelEmbedding = nn.Linear(spec.LabelDim, spec.LatentDim, hasBias: false);
            // Like nn.Embedding: a one-hot label picks a column on the same N(0,1) scale as z.
            using (no_grad()) labelEmbedding.weight!.normal_(0, 1, random);
        }
        stages = new ModuleList<Sequential>();
        transitions = new Conv2d?[channels.Length];
        for (int i = 0; i < channels.Length; i++)
        {
            if (i > 0 && channels[i] != channels[i - 1])
            {
                var t = nn.Conv2d(channels[i - 1], channels[i], 1, bias: false);
                ModernLayout.InitLinear(t.weight!, null, random);
                transitions[i] = t;
            }
            stages.Add(nn.Sequential(Enumerable.Range(0, ModernLayout.BlocksPerStage)
                .Select(_ => (nn.Module<Tensor, Tensor>)new ResidualBlock(channels[i], blocks, random))));
        }
        toRgb = nn.Conv2d(channels[^1], 3, 1);
        ModernLayout.InitLinear(toRgb.weight!, toRgb.bias, random);
        RegisterComponents();
        for (int i = 0; i < transitions.Length; i++)
            if (transitions[i] is { } t) register_module($"transition{i}", t);
    }

    public override Tensor forward(Tensor z, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var input = labelEmbedding is null ? z : cat([z, labelEmbedding.forward(labels)], 1);
        var w = basisWeights.forward(input);
        var x = basis.unsqueeze(0) * w.view(w.shape[0], w.shape[1], 1, 1);
        for (int i = 0; i < stages.Count; i++)
        {
            if (i > 0)
            {
                // Change width at the lower resolution, where the 1x1 conv is 4x cheaper.
                if (transitions[i] is { } t) x = t.forward(x);
                x = Resample.Up(x);
            }
            x = stages[i].forward(x);
        }
        var images = toRgb.forward(x);
        if (!training) images = images.clamp(-1, 1);
        return scope.MoveToOuter(images);
    }
}
