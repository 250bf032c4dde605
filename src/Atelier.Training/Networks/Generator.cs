using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>Maps (z [B,Z], labels [B,L]) to images [B,3,R,R] in [-1,1].</summary>
public abstract class Generator : nn.Module<Tensor, Tensor, Tensor>
{
    protected Generator(string name, NetworkSpec spec) : base(name)
    {
        spec.Validate();
        Spec = spec;
    }

    public NetworkSpec Spec { get; }
}
