namespace Atelier.Training.Data;

/// <summary>The user's --cond choice: "none", "multi", or the name of a tag category for class conditioning.</summary>
public sealed record ConditioningRequest(ConditioningMode Mode, string? Category)
{
    public static ConditioningRequest None { get; } = new(ConditioningMode.None, null);
    public static ConditioningRequest Multi { get; } = new(ConditioningMode.MultiLabel, null);

    /// <exception cref="TrainingException">code "bad-conditioning" for an empty value.</exception>
    public static ConditioningRequest Parse(string? text)
    {
        string value = text?.Trim() ?? "";
        if (value.Length == 0)
            throw new TrainingException("bad-conditioning", "--cond needs a value: none, multi, or a tag category such as 'character'");
        if (value.Equals("none", StringComparison.OrdinalIgnoreCase)) return None;
        if (value.Equals("multi", StringComparison.OrdinalIgnoreCase)) return Multi;
        if (value.Any(char.IsWhiteSpace) || value.Any(char.IsControl))
            throw new TrainingException("bad-conditioning", $"--cond '{value}' is not a tag category name (no spaces); use none, multi, or a category such as 'character'");
        return new ConditioningRequest(ConditioningMode.Category, value);
    }

    public override string ToString() => Mode switch
    {
        ConditioningMode.None => "none",
        ConditioningMode.MultiLabel => "multi",
        _ => Category!,
    };
}
