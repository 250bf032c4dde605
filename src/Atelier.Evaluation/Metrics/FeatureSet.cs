namespace Atelier.Evaluation.Metrics;

/// <summary>
/// N feature vectors of one dimension, row-major in double precision (the metrics sum millions of
/// products; single precision would lose the agreement with a NumPy reference).
/// </summary>
public sealed class FeatureSet
{
    public FeatureSet(int count, int dimension, double[] values)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (values.Length != (long)count * dimension)
            throw new ArgumentException($"{values.Length} values are not {count} x {dimension}", nameof(values));
        Count = count;
        Dimension = dimension;
        Values = values;
    }

    public int Count { get; }
    public int Dimension { get; }
    public double[] Values { get; }

    public ReadOnlySpan<double> Row(int i) => Values.AsSpan(i * Dimension, Dimension);

    public static FeatureSet FromRows(IReadOnlyList<float[]> rows)
    {
        if (rows.Count == 0) throw new ArgumentException("no feature vectors", nameof(rows));
        int d = rows[0].Length;
        var values = new double[rows.Count * d];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != d) throw new ArgumentException($"vector {i} has {rows[i].Length} values, not {d}", nameof(rows));
            for (int k = 0; k < d; k++) values[i * d + k] = rows[i][k];
        }
        return new FeatureSet(rows.Count, d, values);
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public FeatureSet Select(IReadOnlyList<int> indices)
    {
        var values = new double[indices.Count * Dimension];
        for (int i = 0; i < indices.Count; i++) Row(indices[i]).CopyTo(values.AsSpan(i * Dimension, Dimension));
        return new FeatureSet(indices.Count, Dimension, values);
    }
}
