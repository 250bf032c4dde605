using System.Collections.Immutable;

namespace Atelier.Training.Data;

/// <summary>
/// The label vector's meaning: for class conditioning the tag names of the category (one-hot),
/// for multi-label every tag as "category:name" (multi-hot), empty when unconditional.
/// </summary>
public sealed record LabelSpace(ConditioningMode Mode, string? Category, ImmutableArray<string> Labels)
{
    public int Dim => Labels.Length;
}
