using System.Collections.Immutable;

namespace Atelier.Datasets;

/// <summary>
/// One image in a snapshot. The SHA-256 of the original file identifies the image; the catalog
/// ImageId is kept for convenience but is not part of the content (see <see cref="SnapshotManifest.RootHash"/>).
/// Tags are stored sorted and de-duplicated so equal content always serialises equally.
/// </summary>
public sealed class SnapshotItem
{
    public SnapshotItem(long imageId, string sha256, int width, int height, string? rating, IEnumerable<SnapshotTag> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        Sha256 = NormaliseSha256(sha256);
        if (width <= 0 || height <= 0)
            throw new DatasetException(DatasetErrorCode.InvalidArgument, $"item {Sha256} has non-positive size {width}x{height}");
        if (rating is not null && string.IsNullOrWhiteSpace(rating))
            throw new DatasetException(DatasetErrorCode.InvalidArgument, $"item {Sha256} has a blank rating (use null for none)");
        ImageId = imageId;
        Width = width;
        Height = height;
        Rating = rating;
        Tags = [.. tags.Distinct().Order()];
    }

    public long ImageId { get; }
    public string Sha256 { get; }
    public int Width { get; }
    public int Height { get; }
    public string? Rating { get; }
    public ImmutableArray<SnapshotTag> Tags { get; }

    /// <summary>Accepts 64 hex digits in either case and stores them lower-case.</summary>
    internal static string NormaliseSha256(string? sha256)
    {
        if (sha256 is null || sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit))
            throw new DatasetException(DatasetErrorCode.InvalidArgument, $"'{sha256}' is not a 64-digit hex SHA-256");
        return sha256.ToLowerInvariant();
    }
}
