namespace Atelier.Ingest;

/// <summary>The reason codes an <see cref="IngestRejection"/> carries.</summary>
public static class RejectionCodes
{
    public const string FileTooLarge = "file-too-large";
    public const string Unreadable = "unreadable";
    public const string LinkEscapesFolder = "link-escapes-folder";

    public const string PathTraversal = "path-traversal";
    public const string AbsolutePath = "absolute-path";
    public const string LinkEntry = "link-entry";
    public const string SpecialEntry = "special-entry";
    public const string UnsupportedEntry = "unsupported-entry";
    public const string ArchiveTooLarge = "archive-too-large";
    public const string CompressionRatio = "compression-ratio-exceeded";
    public const string TooManyEntries = "too-many-entries";
    public const string CorruptArchive = "corrupt-archive";
    public const string CorruptEntry = "corrupt-entry";

    public const string BadListLine = "bad-list-line";
    public const string DuplicateUrl = "duplicate-url";
    public const string BadUrl = "bad-url";
    public const string UnsupportedScheme = "unsupported-scheme";
    public const string HttpStatus = "http-status";
    public const string Timeout = "timeout";
    public const string NetworkError = "network-error";
    public const string RedirectLoop = "redirect-loop";
    public const string TooManyRedirects = "too-many-redirects";
    public const string NotAnImage = "not-an-image";
    public const string OptedOut = "opted-out";

    /// <summary>A manifest row that names no file, or a manifest that cannot be read at all (then the ingest stops).</summary>
    public const string BadManifest = "bad-manifest";
    /// <summary>
    /// The image's own metadata (an XMP packet, a sidecar, its manifest row, a mapped field) cannot be read, so what it
    /// says (an opt-out, a rating, a licence) is unknown: the image is left out rather than let in unchecked.
    /// </summary>
    public const string UnreadableMetadata = "unreadable-metadata";

    // Why a file of a folder or archive was skipped (counted by extension in the summary and the report, never silently):
    // it is no image the imaging layer reads, not a failed image.

    /// <summary>Neither its first bytes nor its extension are a format the imaging layer reads (a README, a .sng, a format not yet supported).</summary>
    public const string UnsupportedFile = "unsupported-file";
    /// <summary>A hidden file or folder (leading '.', or macOS's __MACOSX): not entered.</summary>
    public const string HiddenFile = "hidden-file";
    /// <summary>An archive inside an archive: not opened (extract the outer one and ingest the folder).</summary>
    public const string NestedArchive = "nested-archive";
}
