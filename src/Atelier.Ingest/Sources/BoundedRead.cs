namespace Atelier.Ingest.Sources;

internal static class BoundedRead
{
    /// <summary>Reads a whole stream into memory, refusing more than <paramref name="maxBytes"/> (file-too-large).</summary>
    public static byte[] ReadAll(Stream stream, long maxBytes, long sizeHint = -1)
    {
        if (sizeHint > maxBytes) throw TooLarge(sizeHint, maxBytes);
        using var buffer = sizeHint >= 0 ? new MemoryStream((int)Math.Min(sizeHint, int.MaxValue)) : new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > maxBytes) throw TooLarge(buffer.Length + n, maxBytes);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    public static async Task<byte[]> ReadAllAsync(Stream stream, long maxBytes, long sizeHint, CancellationToken ct)
    {
        if (sizeHint > maxBytes) throw TooLarge(sizeHint, maxBytes);
        using var buffer = sizeHint >= 0 ? new MemoryStream((int)Math.Min(sizeHint, int.MaxValue)) : new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > maxBytes) throw TooLarge(buffer.Length + n, maxBytes);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    public static IngestFileException TooLarge(long size, long max) =>
        new(RejectionCodes.FileTooLarge, size > max && size < long.MaxValue
            ? $"{size:N0}+ bytes exceeds the {max:N0}-byte limit"
            : $"exceeds the {max:N0}-byte limit");
}
