namespace Atelier.Training.Networks;

/// <summary>
/// The shape of a generator/discriminator pair: family, square image side, label vector length
/// (0 = unconditional) and latent length. <see cref="Width"/> scales the modern model's channels
/// (ignored by DCGAN, whose widths are fixed to match the PyTorch example).
/// </summary>
public sealed record NetworkSpec(ModelKind Kind, int Resolution, int LabelDim, int LatentDim)
{
    /// <summary>Resolutions the networks are built for.</summary>
    public static IReadOnlyList<int> Resolutions { get; } = [32, 64, 128, 256];

    /// <summary>Channel multiplier for the modern model (1 = the default widths).</summary>
    public double Width { get; init; } = 1.0;

    /// <summary>The default latent length of a family: DCGAN 100 (as the PyTorch example), modern 128.</summary>
    public static int DefaultLatentDim(ModelKind kind) => kind == ModelKind.Dcgan ? 100 : 128;

    /// <summary>A spec with the family's default latent length.</summary>
    public static NetworkSpec Default(ModelKind kind, int resolution, int labelDim) =>
        new(kind, resolution, labelDim, DefaultLatentDim(kind));

    /// <summary>Number of resolution stages between the 4x4 top and the image: log2(R) - 2.</summary>
    public int Stages => System.Numerics.BitOperations.Log2((uint)Resolution) - 2;

    /// <summary>Refuses specs the networks cannot be built for, with a one-line reason.</summary>
    public void Validate()
    {
        if (!Resolutions.Contains(Resolution))
            throw new TrainingException("bad-resolution", $"resolution {Resolution} is not one of {string.Join(", ", Resolutions)}");
        if (LabelDim < 0)
            throw new TrainingException("bad-label-dim", $"label dimension {LabelDim} is negative");
        if (LatentDim <= 0)
            throw new TrainingException("bad-latent-dim", $"latent dimension {LatentDim} must be positive");
        if (!(Width > 0) || double.IsInfinity(Width))
            throw new TrainingException("bad-width", $"width multiplier {Width} must be a positive number");
    }
}
