namespace Atelier.Datasets;

/// <summary>Where an export goes: trainer shards, a kohya-style folder, or WebDataset tars.</summary>
public enum ExportFormat
{
    Shards,
    Folder,
    WebDataset,
}

/// <summary>Encodes row-major opaque RGB (width*height*3 bytes) as a PNG file. Supplied by the imaging layer.</summary>
public delegate byte[] RgbPngEncoder(ReadOnlySpan<byte> rgb, int width, int height);
