using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>Maps (images [B,3,R,R], labels [B,L]) to one logit per image, [B].</summary>
public abstract class Discriminator : nn.Module<Tensor, Tensor, Tensor>
{
    protected Discriminator(string name, NetworkSpec spec) : base(name)
    {
        spec.Validate();
        Spec = spec;
    }

    public NetworkSpec Spec { get; }

    /// <summary>
    /// The parameters of each block, from the image side: one block per resolution, the first with the layer that reads
    /// the image. The head (and a label projection) come after all of them. What <c>--freeze-d</c> counts.
    /// </summary>
    public abstract IReadOnlyList<IReadOnlyList<Parameter>> Blocks { get; }

    /// <summary>
    /// Keeps the first <paramref name="count"/> blocks as they are (FreezeD, Mo et al. 2020; StyleGAN2-ADA's --freezed):
    /// their parameters need no gradient, so the optimizer is given only the others (<see cref="Trainable"/>).
    /// </summary>
    public void Freeze(int count)
    {
        if (count < 0 || count > Blocks.Count)
            throw new TrainingException("bad-freeze-d", $"--freeze-d {count}: D of {Spec.Kind.ToString().ToLowerInvariant()} at {Spec.Resolution} px has {Blocks.Count} blocks, so 0..{Blocks.Count}");
        foreach (var block in Blocks.Take(count))
            foreach (var p in block) p.requires_grad_(false);
    }

    /// <summary>The parameters an optimizer should move: all but those of frozen blocks.</summary>
    public IEnumerable<Parameter> Trainable() => parameters().Where(p => p.requires_grad);
}
