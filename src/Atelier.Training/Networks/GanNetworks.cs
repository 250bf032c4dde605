namespace Atelier.Training.Networks;

/// <summary>Builds the generator and discriminator of a spec's family.</summary>
public static class GanNetworks
{
    /// <param name="random">Draws the initial weights; null uses torch's process-wide generator.</param>
    public static Generator CreateGenerator(NetworkSpec spec, TorchSharp.torch.Generator? random = null) => spec.Kind switch
    {
        ModelKind.Dcgan => new DcganGenerator(spec, random),
        ModelKind.Modern => new ModernGenerator(spec, random),
        
        _ => throw new TrainingException("bad-model-kind", $"unknown model kind {spec.Kind}"),
    };

    public static Discriminator CreateDiscriminator(NetworkSpec spec, TorchSharp.torch.Generator? random = null) => spec.Kind switch
    {
        ModelKind.Dcgan => new DcganDiscriminator(spec, random),
        ModelKind.Modern => new ModernDiscriminator(spec, random),
        
        _ => throw new TrainingException("bad-model-kind", $"unknown model kind {spec.Kind}"),
    };
}
