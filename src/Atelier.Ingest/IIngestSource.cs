namespace Atelier.Ingest;

/// <summary>A resolved SOURCE argument that streams candidate files and rejections.</summary>
public interface IIngestSource
{
    /// <summary>What was opened, e.g. <c>folder:/abs/dir</c>.</summary>
    string Description { get; }

    /// <summary>Streams outcomes in a deterministic order. Items whose origin the skip predicate accepts are not read and not yielded.</summary>
    IAsyncEnumerable<IngestOutcome> ReadAsync(CancellationToken cancellationToken = default);
}
