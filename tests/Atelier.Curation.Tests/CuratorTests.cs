using Atelier.Catalog;
using Atelier.Imaging;
using Atelier.Ingest.Pipeline;
using Atelier.TestSupport;

namespace Atelier.Curation.Tests;

public class CuratorTests
{
    [Fact]
    public async Task FlagsFollowTheMeasuresAndNearDuplicatesKeepTheEarliest()
    {
        using var ws = new TempWorkspace();
        using var dir = new TempDir();
        var sharp = SyntheticImages.Pattern(256, 256, 5);
        dir.Write("1-sharp.png", ImageEncoder.EncodePng(sharp));
        dir.Write("2-sharp-copy.jpg", ImageEncoder.EncodeJpeg(ImageResizer.Resize(sharp, 200, 200), 70));
        dir.Write("3-blurred.png", ImageEncoder.EncodePng(ImageResizer.Resize(ImageResizer.Resize(SyntheticImages.Pattern(256, 256, 6), 16, 16), 256, 256)));
        dir.Write("4-dark.png", ImageEncoder.EncodePng(RgbaImage.Filled(128, 128, 5, 5, 5)));
        dir.Write("5-tiny-wide.png", ImageEncoder.EncodePng(SyntheticImages.Pattern(48, 16, 8)));
        var summary = await new Ingestion(ws.Workspace).RunAsync(new IngestRequest { Sources = [dir.Path] }, null, TestContext.Current.CancellationToken);
        Assert.Equal(5, summary.Added);

        var result = new Curator(ws.Workspace).Run();

        long Id(string file) => ws.Catalog.ListImages(Selector.All).Single(i => ws.Catalog.GetDetails(i.Id)!.Provenance[0].FileName == file).Id;
        string[] Flags(string file) => ws.Catalog.GetDetails(Id(file))!.Flags.Select(f => f.Flag).ToArray();
        Assert.Empty(Flags("1-sharp.png"));
        Assert.Equal([QualityFlags.NearDuplicate], Flags("2-sharp-copy.jpg"));
        Assert.Contains($"of image {Id("1-sharp.png")}", ws.Catalog.GetDetails(Id("2-sharp-copy.jpg"))!.Flags[0].Detail);
        Assert.Contains(QualityFlags.Blurry, Flags("3-blurred.png"));
        Assert.DoesNotContain(QualityFlags.Blurry, Flags("1-sharp.png"));
        Assert.Contains(QualityFlags.Dark, Flags("4-dark.png"));
        Assert.Contains(QualityFlags.LowInformation, Flags("4-dark.png"));
        Assert.Contains(QualityFlags.Small, Flags("5-tiny-wide.png"));
        Assert.Contains(QualityFlags.Aspect, Flags("5-tiny-wide.png"));
        Assert.Equal(1, result.NearDuplicatePairs);
        Assert.Equal(1, result.Flagged[QualityFlags.NearDuplicate]);

        // Curating again gives the same flags, not twice as many.
        var again = new Curator(ws.Workspace).Run();
        Assert.Equal(result.Flagged, again.Flagged);
        Assert.Equal(result.Flagged.Values.Sum(), ws.Catalog.Report().ByFlag.Values.Sum());
    }

    [Fact]
    public void ThresholdsComeFromTheWorkspaceConfig()
    {
        var image = new ImageRecord { Sha256 = "x", Format = "png", Source = "s", Width = 300, Height = 100, BlurVariance = 40, MeanLuma = 128, Entropy = 6, PdqQuality = 100 };
        var defaults = new CurationThresholds();
        Assert.Equal(["extreme-aspect", "blurry"], QualityFlags.For(image, defaults).Select(f => f.Flag));
        Assert.Empty(QualityFlags.For(image, defaults with { MaxAspect = 4, MinBlurVariance = 10 }));
    }
}
