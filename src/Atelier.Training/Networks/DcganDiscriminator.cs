using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// The PyTorch DCGAN example's discriminator: stride-2 convs (batch norm after all but the first,
/// leaky ReLU 0.2) down to 4x4, then a 4x4 conv to one logit (computed as the matrix product it is,
/// <see cref="FullKernelConv"/>). With labels, a projection term
/// (Miyato &amp; Koyama 2018) adds &lt;embed(labels), sum-pooled last features&gt; to the logit.
/// </summary>
public sealed class DcganDiscriminator : Discriminator
{
    readonly Sequential features;
    readonly FullKernelConv head;
    readonly Linear? labelProjection;
    readonly List<nn.Module<Tensor, Tensor>[]> blocks = [];

    public DcganDiscriminator(NetworkSpec spec, TorchSharp.torch.Generator? random = null) : base(nameof(DcganDiscriminator), spec)
    {
        int[] channels = [.. DcganLayout.Channels(spec.Resolution).Reverse()];
        blocks.Add([nn.Conv2d(3, channels[0], 4, stride: 2, padding: 1, bias: false), nn.LeakyReLU(0.2, inplace: true)]);
        for (int i = 1; i < channels.Length; i++)
            blocks.Add([nn.Conv2d(channels[i - 1], channels[i], 4, stride: 2, padding: 1, bias: false), nn.BatchNorm2d(channels[i]), nn.LeakyReLU(0.2, inplace: true)]);
        // One flat Sequential, as the PyTorch example has it (its parameter names are what checkpoints hold).
        features = nn.Sequential(blocks.SelectMany(b => b));
        head = new FullKernelConv(channels[^1], 1, 4);
        if (spec.LabelDim > 0) labelProjection = nn.Linear(spec.LabelDim, channels[^1], hasBias: false);
        RegisterComponents();
        DcganLayout.Initialize(this, random);
        if (labelProjection is not null)
            using (no_grad()) labelProjection.weight.normal_(0, 0.02, random);
    }

    /// <summary>Each stride-2 conv with its batch norm: the first reads the image (a frozen block's running statistics still follow the data).</summary>
    public override IReadOnlyList<IReadOnlyList<Parameter>> Blocks =>
        [.. blocks.Select(b => (IReadOnlyList<Parameter>)[.. b.SelectMany(m => m.parameters())])];

    public override Tensor forward(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var h = features.forward(images);
        var logits = head.forward(h).flatten();
        if (labelProjection is not null)
            logits = logits + (labelProjection.forward(labels) * h.sum([2, 3])).sum(1);
        return scope.MoveToOuter(logits);
    }
}
