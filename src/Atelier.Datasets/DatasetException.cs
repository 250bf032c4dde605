namespace Atelier.Datasets;

/// <summary>Machine-readable reason for a dataset failure, so callers can branch without parsing messages.</summary>
public enum DatasetErrorCode
{
    InvalidArgument,
    DuplicateItem,
    MalformedManifest,
    UnsupportedVersion,
    RootMismatch,
    HashMismatch,
    BadMagic,
    TruncatedShard,
    InvalidShardHeader,
    IndexOutOfRange,
    OutOfOrder,
    WrongPixelCount,
    ExportExists,
    WriterClosed,
}

/// <summary>A dataset snapshot or export problem with a one-line reason.</summary>
public sealed class DatasetException(DatasetErrorCode code, string message) : Exception($"{code}: {message}")
{
    public DatasetErrorCode Code { get; } = code;
}
