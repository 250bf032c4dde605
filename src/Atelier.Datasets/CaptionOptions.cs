namespace Atelier.Datasets;

/// <summary>Where the rating goes in a caption sidecar.</summary>
public enum RatingInCaption
{
    /// <summary>No rating in the caption.</summary>
    Omit,
    /// <summary>The rating, with <see cref="CaptionOptions.RatingPrefix"/>, is the first tag on the tag line.</summary>
    FirstTag,
    /// <summary>The rating, with prefix, on a second line of its own (tools that read only line one ignore it).</summary>
    OwnLine,
}

/// <summary>
/// Kohya-style caption sidecar: one line of tags joined by ", ". Order: categories in
/// <see cref="CategoryOrder"/> first (in that order), then any other categories alphabetically;
/// within a category, tag names in ordinal order.
/// </summary>
public sealed record CaptionOptions
{
    public IReadOnlyList<string> CategoryOrder { get; init; } = ["character", "copyright", "artist", "general", "meta"];
    public RatingInCaption Rating { get; init; } = RatingInCaption.Omit;
    public string RatingPrefix { get; init; } = "rating:";

    /// <summary>Booru tags use underscores; many caption trainers expect spaces.</summary>
    public bool UnderscoresToSpaces { get; init; }
}
