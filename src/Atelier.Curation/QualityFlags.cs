using System.Globalization;
using Atelier.Catalog;

namespace Atelier.Curation;

/// <summary>The quality flags <c>atelier curate</c> sets, each from one measure and one configurable threshold.</summary>
public static class QualityFlags
{
    public const string Small = "small";
    public const string Aspect = "extreme-aspect";
    public const string Blurry = "blurry";
    public const string Dark = "too-dark";
    public const string Bright = "too-bright";
    public const string LowInformation = "low-information";
    public const string LowPdqQuality = "low-pdq-quality";
    public const string NearDuplicate = "near-duplicate";

    public static readonly string[] All = [Small, Aspect, Blurry, Dark, Bright, LowInformation, LowPdqQuality, NearDuplicate];

    /// <summary>The flags one image earns, with the measured value as detail.</summary>
    public static IEnumerable<(string Flag, string Detail)> For(ImageRecord image, CurationThresholds t)
    {
        static string V(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        var shortSide = Math.Min(image.Width, image.Height);
        if (shortSide < t.MinSide) yield return (Small, $"short side {shortSide} < {t.MinSide}");
        var aspect = Math.Max(image.Width, image.Height) / (double)Math.Max(1, shortSide);
        if (aspect > t.MaxAspect) yield return (Aspect, $"aspect {V(aspect)} > {V(t.MaxAspect)}");
        if (image.BlurVariance is { } blur && blur < t.MinBlurVariance) yield return (Blurry, $"Laplacian variance {V(blur)} < {V(t.MinBlurVariance)}");
        if (image.MeanLuma is { } luma && luma < t.MaxDarkMeanLuma) yield return (Dark, $"mean luma {V(luma)} < {V(t.MaxDarkMeanLuma)}");
        if (image.MeanLuma is { } luma2 && luma2 > t.MinBrightMeanLuma) yield return (Bright, $"mean luma {V(luma2)} > {V(t.MinBrightMeanLuma)}");
        if (image.Entropy is { } entropy && entropy < t.MinEntropy) yield return (LowInformation, $"entropy {V(entropy)} bits < {V(t.MinEntropy)}");
        if (image.PdqQuality is { } q && q < t.MinPdqQuality) yield return (LowPdqQuality, $"PDQ quality {q} < {t.MinPdqQuality}");
    }
}
