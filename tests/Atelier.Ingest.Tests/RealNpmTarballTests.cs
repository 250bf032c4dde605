using System.Diagnostics;
using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Tests;

/// <summary>
/// Opt-in check against the real package: <c>npm pack emoji-datasource-google@16.0.0</c>, then set
/// <c>ATELIER_EMOJI_TGZ</c> to the .tgz path. Skipped otherwise (the tarball is 74 MB and not committed).
/// </summary>
public sealed class RealNpmTarballTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Real_emoji_datasource_tarball_reads_with_its_manifest()
    {
        var path = Environment.GetEnvironmentVariable("ATELIER_EMOJI_TGZ");
        Assert.SkipWhen(string.IsNullOrEmpty(path) || !File.Exists(path), "set ATELIER_EMOJI_TGZ to the npm pack output");
        var options = new SourceOptions
        {
            ManifestFileName = "emoji.json",
            Mapping = MetadataMapping.Parse(["file=image", "tags:short_names=general", "tags:category=category", "tags:subcategory=subcategory"]),
        };
        var watch = Stopwatch.StartNew();
        var outcomes = await Outcomes.ReadAll(SourceResolver.Open(path!, options));
        watch.Stop();

        var items = outcomes.Items();
        var in64 = items.Where(i => i.Origin.Contains("!package/img/google/64/", StringComparison.Ordinal)).ToList();
        var untagged = in64.Where(i => i.Metadata is null || i.Metadata.Tags.Count == 0).ToList();
        output.WriteLine($"{items.Count} items, {outcomes.Rejections().Count} rejections, {in64.Count} in img/google/64, " +
            $"{in64.Count(i => i.Metadata is not null)} of those with manifest rows, {untagged.Count} untagged, {watch.ElapsedMilliseconds} ms");
        Assert.Empty(outcomes.Rejections());
        Assert.Equal(3786, in64.Count);
        // Skin-tone variants (nested under skin_variations) are rows too, so every image is tagged.
        Assert.Empty(untagged.Select(i => i.FileName));
        var wave = in64.Single(i => i.FileName == "1f44b-1f3fd.png").Metadata!;
        Assert.Contains(new ItemTag("wave", "general"), wave.Tags);
        Assert.Contains(new ItemTag("skin-tone-4", "general"), wave.Tags);
        // The same tag as the modifier's own emoji (U+1F3FD, short name skin-tone-4) carries.
        Assert.Contains(new ItemTag("skin-tone-4", "general"), in64.Single(i => i.FileName == "1f3fd.png").Metadata!.Tags);
        var grinning = in64.Single(i => i.FileName == "1f600.png").Metadata!;
        Assert.Contains(new ItemTag("grinning", "general"), grinning.Tags);
        Assert.Contains(new ItemTag("smileys_&_emotion", "category"), grinning.Tags);
    }
}
