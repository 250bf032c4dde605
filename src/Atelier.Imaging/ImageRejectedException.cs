namespace Atelier.Imaging;

/// <summary>
/// Thrown when bytes cannot become an image. <see cref="Code"/> is a stable kebab-case reason
/// (see <see cref="RejectCodes"/>) that callers store and count; the message is one line for humans.
/// </summary>
public sealed class ImageRejectedException : Exception
{
    public ImageRejectedException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public string Code { get; }
}

/// <summary>The reason codes carried by <see cref="ImageRejectedException.Code"/>.</summary>
public static class RejectCodes
{
    /// <summary>Zero bytes.</summary>
    public const string EmptyFile = "empty-file";

    /// <summary>Not one of the accepted formats (<see cref="ImageFormats.Supported"/>), or not an image at all.</summary>
    public const string UnsupportedFormat = "unsupported-format";

    /// <summary>A recognised format whose header or data is damaged.</summary>
    public const string Corrupt = "corrupt";

    /// <summary>The data ends before the image does. Partially decodable files are rejected too, never padded.</summary>
    public const string Truncated = "truncated";

    /// <summary>The header claims more pixels than the caller allows; nothing was decoded.</summary>
    public const string TooManyPixels = "too-many-pixels";
}
