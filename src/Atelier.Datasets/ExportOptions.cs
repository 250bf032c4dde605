namespace Atelier.Datasets;

/// <summary>Settings shared by every export writer. Images are square: Resolution x Resolution x 3 bytes.</summary>
public sealed record ExportOptions
{
    public required string OutputDirectory { get; init; }
    public required int Resolution { get; init; }
    public required string SnapshotName { get; init; }
    public required string SnapshotRoot { get; init; }

    /// <summary>How the images were fitted to the square (recorded in dataset.json only), e.g. "cover", "contain".</summary>
    public string Fit { get; init; } = "cover";

    /// <summary>Background used for letterboxing/alpha (recorded only), e.g. "#000000".</summary>
    public string Background { get; init; } = "#000000";

    /// <summary>Shards: most images per shard file.</summary>
    public int MaxImagesPerShard { get; init; } = 4096;

    /// <summary>Shards: byte budget for one shard's pixels; whichever of the two limits is smaller wins.</summary>
    public long MaxShardBytes { get; init; } = 1L << 30;

    /// <summary>WebDataset: most samples per tar.</summary>
    public int MaxSamplesPerTar { get; init; } = 1000;

    /// <summary>Folder and WebDataset: how the .txt caption is written.</summary>
    public CaptionOptions Caption { get; init; } = new();

    public const int Channels = 3;
    public int ImageBytes => checked(Resolution * Resolution * Channels);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw Bad("output directory must be given");
        if (Resolution <= 0 || Resolution > 16384) throw Bad($"resolution {Resolution} is outside 1..16384");
        if (string.IsNullOrWhiteSpace(SnapshotName)) throw Bad("snapshot name must be given");
        if (SnapshotRoot is null || SnapshotRoot.Length != 64 || !SnapshotRoot.All(char.IsAsciiHexDigit))
            throw Bad($"snapshot root '{SnapshotRoot}' is not a 64-digit hex SHA-256");
        if (MaxImagesPerShard <= 0) throw Bad("MaxImagesPerShard must be positive");
        if (MaxShardBytes <= 0) throw Bad("MaxShardBytes must be positive");
        if (MaxSamplesPerTar <= 0) throw Bad("MaxSamplesPerTar must be positive");
        ArgumentNullException.ThrowIfNull(Caption);
    }

    private static DatasetException Bad(string why) => new(DatasetErrorCode.InvalidArgument, why);
}
