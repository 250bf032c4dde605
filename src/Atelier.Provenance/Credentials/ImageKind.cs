namespace Atelier.Provenance.Credentials;

/// <summary>The image containers credentials are written into.</summary>
public enum ImageKind { Png, Jpeg }

internal static class ImageKinds
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static ImageKind? Sniff(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith(PngSignature) ? ImageKind.Png
        : bytes.Length >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF ? ImageKind.Jpeg
        : null;

    public static IImageContainer For(ImageKind kind) => kind == ImageKind.Png ? PngContainer.Instance : JpegContainer.Instance;
}

/// <summary>Where XMP and the C2PA manifest store live in one container format, and how they are put there.</summary>
internal interface IImageContainer
{
    /// <summary>The image without any XMP packet or C2PA manifest store (a re-attach never leaves two).</summary>
    byte[] Strip(ReadOnlySpan<byte> image);

    /// <summary>The image with <paramref name="xmp"/> as its XMP packet (an image already stripped).</summary>
    byte[] WithXmp(ReadOnlySpan<byte> image, ReadOnlySpan<byte> xmp);

    /// <summary>Where the manifest store goes: the hard binding excludes the bytes inserted there.</summary>
    int ManifestOffset(ReadOnlySpan<byte> image);

    /// <summary>The manifest store (a JUMBF superbox) wrapped the way the container carries it (a chunk, segments).</summary>
    byte[] Wrap(ReadOnlySpan<byte> manifestStore);

    /// <summary>The XMP packet and the manifest store found, each null when absent; a reason when the container is broken.</summary>
    (byte[]? Xmp, byte[]? ManifestStore) Find(ReadOnlySpan<byte> image);
}
