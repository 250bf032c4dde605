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
}
