using Atelier.Ingest.Metadata;

namespace Atelier.Ingest;

/// <summary>
/// One result of reading a source: either an <see cref="IngestItem"/> or an <see cref="IngestRejection"/>.
/// Sources yield rejections instead of throwing so that one bad file never stops the rest.
/// </summary>
/// <param name="Origin">
/// Stable key for resume and provenance: <c>folder:/abs/a.png</c>, <c>zip:/abs/x.zip!dir/a.png</c>,
/// <c>tar:/abs/x.tgz!package/a.png</c>, <c>url:https://host/a.png</c>.
/// </param>
public abstract record IngestOutcome(string Origin);

/// <summary>
/// A candidate file: its bytes (already capped by <see cref="SourceOptions.MaxFileBytes"/>) and provenance.
/// <see cref="OptOutSignal"/> names an AI opt-out that was seen but not honoured (the policy says so); the image is flagged with it.
/// </summary>
public sealed record IngestItem(
    string Origin,
    string FileName,
    byte[] Content,
    ItemMetadata? Metadata = null,
    IReadOnlyDictionary<string, string>? ResponseHeaders = null,
    string? FinalUrl = null,
    string? OptOutSignal = null) : IngestOutcome(Origin);

/// <summary>A file (or a whole archive) that was not ingested, with a kebab-case <see cref="Code"/> from <see cref="RejectionCodes"/>.</summary>
public sealed record IngestRejection(string Origin, string Code, string Message) : IngestOutcome(Origin)
{
    public override string ToString() => $"{Code}: {Origin}: {Message}";
}

/// <summary>
/// A file of a folder or archive that is not an image to ingest (code <see cref="RejectionCodes.UnsupportedFile"/>,
/// <see cref="RejectionCodes.HiddenFile"/> or <see cref="RejectionCodes.NestedArchive"/>): counted, by <see cref="Extension"/>,
/// and listed, so nothing is passed over without a word. Not marked done: once the imaging layer reads its format, the next run takes it.
/// </summary>
public sealed record IngestSkip(string Origin, string Extension, string Code, string Message) : IngestOutcome(Origin)
{
    public override string ToString() => $"skipped {Code}: {Origin}: {Message}";
}
