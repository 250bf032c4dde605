namespace Atelier.Datasets;

/// <summary>
/// Receives already-resized, opaque RGB images (Resolution*Resolution*3 bytes, row-major) in index
/// order 0, 1, 2, ... and writes them in one export format. <see cref="Complete"/> writes labels.jsonl
/// and, last, dataset.json: an export folder without dataset.json is unfinished. Disposing without
/// Complete abandons the export and removes its partial file.
/// </summary>
public interface IExportWriter : IDisposable
{
    ExportFormat Format { get; }
    int Count { get; }
    void Add(int index, ExportLabel label, ReadOnlySpan<byte> rgb);
    void Complete();
}

/// <summary>A finished file of an export (a shard or a tar) as listed in dataset.json.</summary>
public sealed record ExportFile(string Name, int FirstIndex, int Count, string Sha256);

/// <summary>Creates the writer for a format.</summary>
public static class ExportWriters
{
    /// <param name="pngEncoder">Required for Folder and WebDataset; ignored for Shards.</param>
    public static IExportWriter Create(ExportFormat format, ExportOptions options, RgbPngEncoder? pngEncoder = null) => format switch
    {
        ExportFormat.Shards => new ShardWriter(options),
        ExportFormat.Folder => new FolderWriter(options, RequireEncoder(pngEncoder, format)),
        ExportFormat.WebDataset => new WebDatasetWriter(options, RequireEncoder(pngEncoder, format)),
        _ => throw new DatasetException(DatasetErrorCode.InvalidArgument, $"unknown export format {format}"),
    };

    private static RgbPngEncoder RequireEncoder(RgbPngEncoder? encoder, ExportFormat format) =>
        encoder ?? throw new DatasetException(DatasetErrorCode.InvalidArgument, $"{format} export needs a PNG encoder");
}
