using System.Text.Json;

namespace Atelier.Datasets;

/// <summary>The one JSON shape of tags and ratings, shared by manifests, labels and WebDataset samples.</summary>
internal static class LabelJson
{
    public static void WriteTags(Utf8JsonWriter w, IEnumerable<SnapshotTag> tags)
    {
        w.WriteStartArray("tags");
        foreach (var tag in tags)
        {
            w.WriteStartObject();
            w.WriteString("name", tag.Name);
            w.WriteString("category", tag.Category);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static void WriteRating(Utf8JsonWriter w, string? rating)
    {
        if (rating is null) w.WriteNull("rating");
        else w.WriteString("rating", rating);
    }
}
