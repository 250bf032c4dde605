namespace Atelier.Datasets;

/// <summary>A tag on an item, e.g. ("smile", "general"). Ordered by name, then category (ordinal).</summary>
public sealed record SnapshotTag : IComparable<SnapshotTag>
{
    public SnapshotTag(string name, string category)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new DatasetException(DatasetErrorCode.InvalidArgument, "tag name must not be empty");
        if (string.IsNullOrWhiteSpace(category))
            throw new DatasetException(DatasetErrorCode.InvalidArgument, $"tag '{name}' has an empty category");
        Name = name;
        Category = category;
    }

    public string Name { get; }
    public string Category { get; }

    public int CompareTo(SnapshotTag? other)
    {
        if (other is null) return 1;
        int byName = string.CompareOrdinal(Name, other.Name);
        return byName != 0 ? byName : string.CompareOrdinal(Category, other.Category);
    }

    public override string ToString() => $"{Name} ({Category})";
}
