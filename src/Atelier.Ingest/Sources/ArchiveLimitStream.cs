namespace Atelier.Ingest.Sources;

/// <summary>
/// Read-only wrapper over a decompressing stream that stops a bomb while it inflates: it throws once the
/// total inflated bytes pass the limit, or the ratio to the compressed bytes consumed so far does.
/// </summary>
internal sealed class ArchiveLimitStream(Stream inner, Stream? compressed, SourceOptions options) : Stream
{
    public long Inflated { get; private set; }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    private int Count(int n)
    {
        Inflated += n;
        if (Inflated > options.MaxTotalUncompressedBytes)
            throw new IngestFileException(RejectionCodes.ArchiveTooLarge,
                $"inflates past {options.MaxTotalUncompressedBytes:N0} bytes");
        if (compressed is not null && Inflated >= options.RatioCheckFloorBytes
            && Inflated > Math.Max(1, compressed.Position) * options.MaxCompressionRatio)
            throw new IngestFileException(RejectionCodes.CompressionRatio,
                $"expands over {options.MaxCompressionRatio:F0}x (limit {options.MaxCompressionRatio:F0}x)");
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Inflated; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
