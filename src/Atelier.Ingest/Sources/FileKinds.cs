using Atelier.Imaging;

namespace Atelier.Ingest.Sources;

/// <summary>What a file in a folder or archive is: an archive to open, an image to ingest, or something to skip (and count).</summary>
internal static class FileKinds
{
    public enum Archive { Zip, Tar }

    /// <summary>The archive kind a file name says (the same rule as a SOURCE argument), or null.</summary>
    public static Archive? ArchiveOf(string name)
    {
        var lower = name.ToLowerInvariant();
        if (lower.EndsWith(".zip", StringComparison.Ordinal)) return Archive.Zip;
        if (lower.EndsWith(".tar", StringComparison.Ordinal) || lower.EndsWith(".tar.gz", StringComparison.Ordinal) || lower.EndsWith(".tgz", StringComparison.Ordinal))
            return Archive.Tar;
        return null;
    }

    /// <summary>The key skipped files are counted by: the lower-case extension with its dot, or "(none)".</summary>
    public static string ExtensionOf(string path)
    {
        var ext = Path.GetExtension(path.Split('/')[^1]);
        return ext.Length <= 1 ? "(none)" : ext.ToLowerInvariant();
    }

    /// <summary>
    /// The imaging layer decides: a file is an image when its first bytes are a format it reads, or its extension names one
    /// (a damaged .png is then rejected with the reason, not passed over). <paramref name="header"/> may throw; a file that
    /// cannot be read is treated as an image, so the read failure is reported as its rejection.
    /// </summary>
    public static bool IsImage(string path, Func<byte[]> header)
    {
        if (ImageFormats.IsImageExtension(Path.GetExtension(path))) return true;
        try
        {
            return ImageFormats.Sniff(header()) is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException or IngestFileException)
        {
            return true;
        }
    }

    /// <summary>Reads at most <see cref="ImageFormats.HeaderBytes"/> from a stream.</summary>
    public static byte[] ReadHeader(Stream stream)
    {
        var buffer = new byte[ImageFormats.HeaderBytes];
        var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return n == buffer.Length ? buffer : buffer[..n];
    }

    public static string UnsupportedMessage(string path) =>
        $"not an image this Atelier reads ({(ExtensionOf(path) is var e && e == "(none)" ? "no extension" : e)}, and its first bytes are no supported format)";
}
