using Atelier.Training.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

/// <summary>D(x) = sum(w * x): its input gradient is w for every image, so penalties are known exactly.</summary>
sealed class LinearDiscriminator : Discriminator
{
    public readonly Parameter Weight;

    public LinearDiscriminator(Tensor weight)
        : base(nameof(LinearDiscriminator), new NetworkSpec(ModelKind.Dcgan, (int)weight.shape[^1], 0, 100))
    {
        Weight = new Parameter(weight.clone());
        register_parameter("weight", Weight);
    }

    /// <summary>No blocks: the weight is its head.</summary>
    public override IReadOnlyList<IReadOnlyList<Parameter>> Blocks => [];

    public override Tensor forward(Tensor images, Tensor labels) => (images * Weight).sum([1, 2, 3]);

    /// <summary>A D whose logit is the image's mean: w = 1 / (3 R R).</summary>
    public static LinearDiscriminator Mean(int resolution) =>
        new(full(3, resolution, resolution, 1.0f / (3 * resolution * resolution)));

    /// <summary>Images whose every pixel of sample i is values[i] (so Mean gives logit values[i]).</summary>
    public static Tensor Constant(int resolution, params float[] values) =>
        tensor(values).view(-1, 1, 1, 1).expand(values.Length, 3, resolution, resolution).contiguous();
}
