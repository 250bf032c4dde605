using System.Collections.Concurrent;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance.Blocklists;
using Atelier.Hashing;
using Atelier.Imaging;

namespace Atelier.Governance.Tests;

/// <summary>
/// Issue 4, item 8: 100 benign pictures blocklisted by PDQ are still caught after re-encoding,
/// resizing, cropping and colour shifts, and 3,000 unrelated pictures are never caught. Hashes are
/// computed in-process exactly as ingest computes them (decode of at least 256 px, PDQ); the CLI
/// end-to-end path is covered by a smaller test in Atelier.Cli.Tests.
/// </summary>
public class BlocklistRecallTests
{
    private const int Listed = 100, Unrelated = 3_000;

    [Fact]
    public void PdqListCatchesEditedCopiesAndNothingUnrelated()
    {
        // The list holds pictures whose hashes PDQ itself trusts (quality 50 or more, as the rule requires):
        // the first 100 seeds that give one.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var output = TestContext.Current.TestOutputHelper;
        var candidates = new (RgbaImage Picture, PdqResult Pdq)[Listed + Listed / 4];
        Parallel.For(0, candidates.Length, i =>
        {
            var picture = BlocklistImages.Textured(i);
            candidates[i] = (picture, BlocklistTestKit.Pdq(ImageEncoder.EncodePng(picture, fast: true)));
        });
        var chosen = candidates.Where(c => c.Pdq.Quality >= 50).Take(Listed).ToArray();
        Assert.True(chosen.Length == Listed, $"only {chosen.Length} of {candidates.Length} pictures have PDQ quality 50 or more; the test needs textured pictures");
        var pictures = chosen.Select(c => c.Picture).ToArray();
        var originals = chosen.Select(c => c.Pdq).ToArray();

        var list = new BlocklistRecord(1, "recall", "1", "pdq", Listed, new string('0', 64), null, "test", DateTimeOffset.UtcNow);
        var screen = BlocklistScreen.Of(list, originals.Select(o => o.Hash.ToString()));

        var caught = new ConcurrentDictionary<string, int>();
        var tried = new ConcurrentDictionary<string, int>();
        var distances = new ConcurrentBag<(string Edit, int Distance)>();
        var lowQuality = new ConcurrentDictionary<string, int>();
        Parallel.For(0, Listed, i =>
        {
            var rng = new Random(1_000 + i);
            foreach (var (edit, bytes) in Edits(pictures[i], rng))
            {
                tried.AddOrUpdate(edit, 1, (_, n) => n + 1);
                var pdq = BlocklistTestKit.Pdq(bytes);
                if (pdq.Quality < 50) lowQuality.AddOrUpdate(edit, 1, (_, n) => n + 1);
                if (screen.MatchPdq(pdq.Hash, pdq.Quality) is { } hit)
                {
                    caught.AddOrUpdate(edit, 1, (_, n) => n + 1);
                    distances.Add((edit, hit.Distance!.Value));
                }
            }
        });

        output?.WriteLine($"listed and edited in {clock.Elapsed.TotalSeconds:0.0} s");
        var falseHits = 0;
        var usable = 0;
        var nearest = int.MaxValue;
        Parallel.For(0, Unrelated, i =>
        {
            // Seeds far from the listed ones; hashed straight from pixels (encoding changes nothing here that matters).
            var pdq = BlocklistTestKit.Pdq(BlocklistImages.Textured(1_000_000 + i, 128, 128));
            if (pdq.Quality >= 50) Interlocked.Increment(ref usable);
            if (screen.MatchPdq(pdq.Hash, pdq.Quality) is not null) Interlocked.Increment(ref falseHits);
            // The margin: how close the closest unrelated picture comes to any listed one.
            var closest = originals.Min(o => o.Hash.DistanceTo(pdq.Hash));
            int seen;
            while (closest < (seen = Volatile.Read(ref nearest)) && Interlocked.CompareExchange(ref nearest, closest, seen) != seen) { }
        });

        output?.WriteLine($"all done in {clock.Elapsed.TotalSeconds:0.0} s");
        foreach (var edit in tried.Keys.Order(StringComparer.Ordinal))
        {
            var d = distances.Where(x => x.Edit == edit).Select(x => x.Distance).Order().ToList();
            output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"recall {edit,-22} {caught.GetValueOrDefault(edit),3}/{tried[edit]}  median distance {(d.Count > 0 ? d[d.Count / 2] : -1)}  max {(d.Count > 0 ? d[^1] : -1)}  copies below quality 50: {lowQuality.GetValueOrDefault(edit)}"));
        }
        output?.WriteLine($"listed: the first {Listed} of {candidates.Count(c => c.Pdq.Quality >= 50)}/{candidates.Length} seeds with PDQ quality >= 50");
        output?.WriteLine($"unrelated: {falseHits} of {Unrelated} caught ({usable} with PDQ quality >= 50); nearest to a listed hash: distance {nearest}");

        // The bar (99%) holds for each edit on its own. Crops shift PDQ's whole sampling grid
        // and are reported apart, as is the stack of all non-crop edits at once; their floors only
        // catch a regression, they are not a promise.
        Assert.Equal(6, tried.Count);
        foreach (var edit in new[] { "jpeg q50-95", "resize 0.5-2x", "colour shift" })
            AtLeast(edit, 0.99);
        AtLeast("all but crop, jpeg", 0.95);
        AtLeast("crop 1-2%", 0.70);
        AtLeast("crop 3-5%", 0.05);
        Assert.Equal(0, falseHits);
        Assert.True(usable > Unrelated * 0.95, $"only {usable} unrelated pictures had usable PDQ hashes");

        void AtLeast(string edit, double fraction) =>
            Assert.True(caught.GetValueOrDefault(edit) >= fraction * tried[edit], $"{edit}: only {caught.GetValueOrDefault(edit)} of {tried[edit]} caught");
    }

    /// <summary>Each listed picture, edited as people do before re-posting: one edit at a time, then all together.</summary>
    private static IEnumerable<(string Edit, byte[] Bytes)> Edits(RgbaImage original, Random rng)
    {
        yield return ("jpeg q50-95", ImageEncoder.EncodeJpeg(original, rng.Next(50, 96)));
        var scale = 0.5 + rng.NextDouble() * 1.5;
        yield return ("resize 0.5-2x", ImageEncoder.EncodePng(Resize(original, scale), fast: true));
        yield return ("crop 1-2%", ImageEncoder.EncodePng(Crop(original, 0.01 + rng.NextDouble() * 0.01, rng), fast: true));
        yield return ("crop 3-5%", ImageEncoder.EncodePng(Crop(original, 0.03 + rng.NextDouble() * 0.02, rng), fast: true));
        yield return ("colour shift", ImageEncoder.EncodePng(ColourShift(original, rng), fast: true));
        yield return ("all but crop, jpeg", ImageEncoder.EncodeJpeg(ColourShift(Resize(original, 0.5 + rng.NextDouble() * 1.5), rng), rng.Next(50, 96)));
    }

    private static RgbaImage Resize(RgbaImage image, double scale) =>
        ImageResizer.Resize(image, Math.Max(8, (int)Math.Round(image.Width * scale)), Math.Max(8, (int)Math.Round(image.Height * scale)));

    /// <summary>Cuts <paramref name="fraction"/> of the width and of the height, split at random between the two sides.</summary>
    private static RgbaImage Crop(RgbaImage image, double fraction, Random rng)
    {
        var (cutX, cutY) = ((int)Math.Round(image.Width * fraction), (int)Math.Round(image.Height * fraction));
        var (left, top) = (rng.Next(cutX + 1), rng.Next(cutY + 1));
        return image.Crop(left, top, image.Width - cutX, image.Height - cutY);
    }

    /// <summary>A per-channel gain and offset, as a white-balance or filter change makes.</summary>
    private static RgbaImage ColourShift(RgbaImage image, Random rng)
    {
        var copy = image.Clone();
        var gain = Enumerable.Range(0, 3).Select(_ => 0.85 + rng.NextDouble() * 0.3).ToArray();
        var offset = Enumerable.Range(0, 3).Select(_ => rng.Next(-30, 31)).ToArray();
        for (var i = 0; i < copy.Pixels.Length; i += 4)
            for (var c = 0; c < 3; c++)
                copy.Pixels[i + c] = (byte)Math.Clamp((int)Math.Round(copy.Pixels[i + c] * gain[c]) + offset[c], 0, 255);
        return copy;
    }
}
