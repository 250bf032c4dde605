using Atelier.Evaluation.Metrics;

namespace Atelier.Evaluation.Tests;

public class GramTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(7, 9, 13)]
    [InlineData(16, 12, 8)]
    [InlineData(33, 21, 67)]
    public void EqualsTheDotProductsRowByRowWhateverTheSizes(int aRows, int bRows, int d)
    {
        var a = Gaussians.Sample(aRows, d, seed: aRows);
        var b = Gaussians.Sample(bRows, d, seed: 100 + bRows);
        var product = Gram.Multiply(a, b);
        for (int i = 0; i < aRows; i++)
            for (int j = 0; j < bRows; j++)
            {
                double expected = 0;
                for (int k = 0; k < d; k++) expected += a.Row(i)[k] * b.Row(j)[k];
                Assert.Equal(expected, product[i * bRows + j], 1e-12 * Math.Max(1, Math.Abs(expected)));
            }
        var upper = Gram.MultiplyUpper(a);
        var full = Gram.Multiply(a, a);
        for (int i = 0; i < aRows; i++)
            for (int j = i; j < aRows; j++) Assert.Equal(full[i * aRows + j], upper[i * aRows + j]);
    }
}
