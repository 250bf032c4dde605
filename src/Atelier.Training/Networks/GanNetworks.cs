namespace Atelier.Training.Networks;

/// <summary>Builds the generator and discriminator of a spec's family.</summary>
public static class GanNetworks
{
    public static Generator CreateGenerator(NetworkSpec spec) => spec.Kind switch
    {
        ModelKind.Dcgan => new DcganGenerator(spec),
        ModelKind.Modern => new ModernGenerator(spec),
        
        _ => throw new TrainingException("bad-model-kind", $"unknown model kind {spec.Kind}"),
    };

    public static Discriminator CreateDiscriminator(NetworkSpec spec) => spec.Kind switch
    {
        ModelKind.Dcgan => new DcganDiscriminator(spec),
        ModelKind.Modern => new ModernDiscriminator(spec),
        
        _ => throw new TrainingException("bad-model-kind", $"unknown model kind {spec.Kind}"),
    };
}
