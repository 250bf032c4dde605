using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Imaging;
using Atelier.Ingest.Pipeline;
using Atelier.TestSupport;

namespace Atelier.Training.Tests;

/// <summary>
/// A workspace holding a small, benign dataset with an obvious statistic to learn: red discs or
/// yellow squares on a dark blue ground, tagged shape:disc / shape:square, ingested for real.
/// </summary>
public sealed class TinyDataset : IDisposable
{
    public TempWorkspace Workspace { get; } = new();
    public string Name { get; } = "tiny";

    public TinyDataset(int count = 64, int side = 32, string? untaggedShape = null)
    {
        using var folder = new TempDir();
        var rng = new Random(7);
        for (int i = 0; i < count; i++)
        {
            bool disc = i % 2 == 0;
            folder.Write($"{(disc ? "disc" : "square")}-{i:D3}.png", ImageEncoder.EncodePng(Shape(side, disc, rng)));
        }
        var summary = new Ingestion(Workspace.Workspace).RunAsync(new IngestRequest { Sources = [folder.Path], SourceName = "tiny", License = "CC0-1.0", Workers = 1 })
            .GetAwaiter().GetResult();
        if (summary.Added != count) throw new InvalidOperationException($"fixture ingest added {summary.Added} of {count}");
        var catalog = Workspace.Catalog;
        foreach (var shape in new[] { "disc", "square" })
        {
            if (shape == untaggedShape) continue;
            var ids = catalog.ListImages(Selector.Parse("all")).Where(r => catalog.GetDetails(r.Id)!.Provenance[0].FileName!.StartsWith(shape, StringComparison.Ordinal))
                .Select(r => r.Id).ToList();
            catalog.AddTags(ids, [new Tag(shape, "shape"), new Tag("flat", "style")]);
        }
        // The strict policy needs every image rated before it is snapshotted.
        Governance.Annotations.Rate(Governance.GovernanceSession.For(Workspace.Workspace), Selector.Parse("all"), "general");
        Snapshots.Create(Workspace.Workspace, Name, null);
    }

    public Workspace Ws => Workspace.Workspace;

    /// <summary>The folder of run <paramref name="run"/> in this workspace.</summary>
    public string RunDirectory(string run) => new Runs.RunFolder(Ws, run).Root;

    /// <summary>One image: a noisy shape at a random place and size.</summary>
    public static RgbaImage Shape(int side, bool disc, Random rng)
    {
        var image = RgbaImage.Filled(side, side, 20, 30, 110);
        int r = rng.Next(side / 6, side / 3), cx = rng.Next(r, side - r), cy = rng.Next(r, side - r);
        var (cr, cg, cb) = disc ? ((byte)220, (byte)40, (byte)40) : ((byte)230, (byte)210, (byte)40);
        for (int y = 0; y < side; y++)
        for (int x = 0; x < side; x++)
        {
            bool inside = disc ? (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r : Math.Abs(x - cx) <= r && Math.Abs(y - cy) <= r;
            int i = (y * side + x) * 4;
            int noise = rng.Next(-6, 7);
            if (inside) (image.Pixels[i], image.Pixels[i + 1], image.Pixels[i + 2]) = ((byte)(cr + noise), (byte)(cg + noise), (byte)(cb + noise));
            else image.Pixels[i + 2] = (byte)(110 + noise);
        }
        return image;
    }

    public void Dispose() => Workspace.Dispose();
}
