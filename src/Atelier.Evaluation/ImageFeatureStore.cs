using Atelier.Catalog;
using Atelier.Evaluation.Features;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Imaging;

namespace Atelier.Evaluation;

/// <summary>
/// Each catalog image's feature vector under a feature network (the evaluation's ResNet18 by default), stored in the catalog for
/// "more like this". Only images without a vector are computed, so a second run after an ingest does just the new ones; a
/// killed run keeps every chunk it stored.
/// </summary>
public static class ImageFeatureStore
{
    public sealed record Summary(string Network, int Selected, int Computed, int Already, IReadOnlyList<string> Failed);

    private const int Chunk = 64;

    public static Summary Compute(Workspace workspace, Selector selector, FeatureExtractor extractor, IProgress<int>? progress, CancellationToken cancellation)
    {
        GovernanceSession.For(workspace).Actor.Require(Role.Reviewer, "compute image features");
        var catalog = workspace.Catalog;
        var network = extractor.VectorName;
        var selected = catalog.SelectIds(selector);
        var todo = catalog.WithoutFeatures(network, selected);
        var failed = new List<string>();
        var computed = 0;
        foreach (var chunk in todo.Chunk(Chunk))
        {
            cancellation.ThrowIfCancellationRequested();
            var images = new List<(long Id, RgbImage Image)>();
            foreach (var id in chunk)
            {
                if (catalog.GetImage(id) is not { } record) continue;
                try
                {
                    var decoded = ImageDecoder.Decode(workspace.Blobs.Read(record.Sha256), DecodeOptions.Analysis);
                    // Transparency on white, as exports default to: the network sees what a person sees.
                    ImageResizer.CompositeInPlace(decoded, Rgb.White);
                    images.Add((id, new RgbImage(decoded.ToRgb(), decoded.Width, decoded.Height)));
                }
                catch (Exception e) when (e is ImageRejectedException or IOException or AtelierException)
                {
                    failed.Add($"image {id}: {e.Message}");
                }
            }
            var vectors = extractor.Extract([.. images.Select(i => i.Image)], cancellation);
            catalog.SetImageFeatures(network, [.. images.Select((image, k) => (image.Id, vectors[k]))]);
            computed += images.Count;
            progress?.Report(computed);
        }
        return new Summary(network, selected.Count, computed, selected.Count - todo.Count, failed);
    }
}
