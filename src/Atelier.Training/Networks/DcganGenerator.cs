using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// The PyTorch DCGAN example's generator: a 4x4 transposed conv from z (computed as the matrix
/// product it is, <see cref="FullKernelConvTranspose"/>), then stride-2 transposed
/// convs with batch norm and ReLU, then one to 3 channels and tanh. With labels, z is concatenated
/// with a learned linear embedding of the label vector (same length as z).
/// </summary>
public sealed class DcganGenerator : Generator
{
    readonly Sequential body;
    readonly Linear? labelEmbedding;

    public DcganGenerator(NetworkSpec spec, TorchSharp.torch.Generator? random = null) : base(nameof(DcganGenerator), spec)
    {
        int[] channels = DcganLayout.Channels(spec.Resolution);
        int input = spec.LatentDim + (spec.LabelDim > 0 ? spec.LatentDim : 0);
        var layers = new List<nn.Module<Tensor, Tensor>>
        {
            new FullKernelConvTranspose(input, channels[0], 4),
            nn.BatchNorm2d(channels[0]),
            nn.ReLU(inplace: true),
        };
        for (int i = 1; i < channels.Length; i++)
        {
            layers.Add(nn.ConvTranspose2d(channels[i - 1], channels[i], 4, stride: 2, padding: 1, bias: false));
            layers.Add(nn.BatchNorm2d(channels[i]));
            layers.Add(nn.ReLU(inplace: true));
        }
        layers.Add(nn.ConvTranspose2d(channels[^1], 3, 4, stride: 2, padding: 1, bias: false));
        layers.Add(nn.Tanh());
        body = nn.Sequential(layers);
        if (spec.LabelDim > 0) labelEmbedding = nn.Linear(spec.LabelDim, spec.LatentDim, hasBias: false);
        RegisterComponents();
        DcganLayout.Initialize(this, random);
        // Like nn.Embedding: a one-hot label picks a column on the same N(0,1) scale as z.
        if (labelEmbedding is not null)
            using (no_grad()) labelEmbedding.weight.normal_(0, 1, random);
    }

    public override Tensor forward(Tensor z, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var input = labelEmbedding is null ? z : cat([z, labelEmbedding.forward(labels)], 1);
        return scope.MoveToOuter(body.forward(input));
    }
}
