using Atelier.Provenance.Watermarking;

namespace Atelier.Provenance.Tests;

public class BchCodeTests
{
    private static readonly BchCode Code = new(t: 29, dataBits: 64);

    [Fact]
    public void The_watermark_code_is_248_bits_for_64_data_bits_correcting_29()
    {
        Assert.Equal(248, Code.Length);
        Assert.Equal(64, Code.DataBits);
        Assert.Equal(29, Code.CorrectableErrors);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(29)]
    public void Up_to_t_errors_are_corrected_exactly(int errors)
    {
        var rng = new Random(errors + 1);
        for (int trial = 0; trial < 60; trial++)
        {
            var data = RandomBits(rng, 64);
            var word = Code.Encode(data);
            Assert.Equal(0, Code.Decode(word.ToArray()));
            var received = Flip(rng, word, errors);
            Assert.Equal(errors, Code.Decode(received));
            Assert.Equal(word, received);
            Assert.Equal(data, Code.Data(received));
        }
    }

    [Fact]
    public void Far_more_errors_than_t_are_refused_or_land_on_another_codeword_never_claimed_as_the_original()
    {
        var rng = new Random(7);
        int refused = 0;
        for (int trial = 0; trial < 100; trial++)
        {
            var data = RandomBits(rng, 64);
            var word = Code.Encode(data);
            var received = Flip(rng, word, 60);
            int corrected = Code.Decode(received);
            if (corrected < 0) { refused++; continue; }
            Assert.NotEqual(word, received);
            Assert.Equal(received, Code.Encode(Code.Data(received))); // what it returns is a codeword
        }
        Assert.True(refused >= 99, $"{refused} of 100 words with 60 errors refused");
    }

    [Fact]
    public void Random_words_are_refused()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 200; trial++)
            Assert.Equal(-1, Code.Decode(RandomBits(rng, Code.Length)));
    }

    private static bool[] RandomBits(Random rng, int n)
    {
        var bits = new bool[n];
        for (int i = 0; i < n; i++) bits[i] = rng.Next(2) == 1;
        return bits;
    }

    private static bool[] Flip(Random rng, bool[] word, int count)
    {
        var result = (bool[])word.Clone();
        foreach (int p in Enumerable.Range(0, word.Length).OrderBy(_ => rng.Next()).Take(count)) result[p] = !result[p];
        return result;
    }
}
