using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Networks;

/// <summary>
/// R3GAN's residual block: 1x1 conv widening by <see cref="ModernLayout.Expansion"/>, grouped 3x3
/// conv, 1x1 conv back, leaky ReLU after the first two, no normalisation. Fix-up initialisation:
/// the branch's last layer starts at zero (the block is the identity at start) and the others are
/// scaled by L^(-1/4) for L blocks in the network, so the residual sum's variance stays bounded.
/// </summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    readonly Conv2d widen;
    readonly Conv2d spatial;
    readonly Conv2d narrow;

    public ResidualBlock(int channels, int blocksInNetwork, TorchSharp.torch.Generator? random) : base(nameof(ResidualBlock))
    {
        int inner = channels * ModernLayout.Expansion;
        widen = nn.Conv2d(channels, inner, 1);
        spatial = nn.Conv2d(inner, inner, 3, padding: 1, groups: inner / ModernLayout.GroupSize);
        narrow = nn.Conv2d(inner, channels, 1, bias: false);
        RegisterComponents();
        double scale = Math.Pow(blocksInNetwork, -0.25);
        ModernLayout.InitActivated(widen.weight!, widen.bias, scale, random);
        ModernLayout.InitActivated(spatial.weight!, spatial.bias, scale, random);
        using (no_grad()) nn.init.zeros_(narrow.weight!);
    }

    public override Tensor forward(Tensor x)
    {
        var h = nn.functional.leaky_relu(widen.forward(x), ModernLayout.Slope, inplace: true);
        h = nn.functional.leaky_relu(spatial.forward(h), ModernLayout.Slope, inplace: true);
        return x + narrow.forward(h);
    }
}
