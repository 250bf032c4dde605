using System.Globalization;

namespace Atelier.Bench.Training;

/// <summary>A bad command line, reported as one line.</summary>
public sealed class BenchUsageException(string message) : Exception(message);

/// <summary>"--name value" pairs after the subcommand; positional words are skipped.</summary>
public sealed class Options
{
    readonly Dictionary<string, string> values = [];

    public static Options Parse(IEnumerable<string> words)
    {
        var o = new Options();
        var list = words.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal)) continue;
            if (i + 1 >= list.Count) throw new BenchUsageException($"{list[i]} needs a value");
            o.values[list[i][2..]] = list[++i];
        }
        return o;
    }

    public int Int(string name, int fallback) =>
        !values.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
        : throw new BenchUsageException($"--{name} '{text}' is not a positive whole number");

    public int[] IntList(string name, int[] fallback) =>
        !values.TryGetValue(name, out var text) ? fallback
        : [.. text.Split(',').Select(t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
            : throw new BenchUsageException($"--{name} '{text}' is not a comma-separated list of positive whole numbers"))];
}
