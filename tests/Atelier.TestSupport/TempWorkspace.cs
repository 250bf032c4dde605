using Atelier.Catalog;

namespace Atelier.TestSupport;

/// <summary>A real workspace in a fresh temporary folder, deleted afterwards.</summary>
public sealed class TempWorkspace : IDisposable
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "atelier-test-" + Guid.NewGuid().ToString("N"));
    public Workspace Workspace { get; }
    public Catalog.Catalog Catalog => Workspace.Catalog;

    public TempWorkspace() => Workspace = Workspace.Init(Directory);

    /// <summary>Adds a catalog record without real bytes, for catalog-level tests.</summary>
    public long AddImage(string sha, string source = "test", int width = 64, int height = 64, string? rating = null, params string[] tags) =>
        Catalog.AddImage(
            new ImageRecord { Sha256 = sha, Format = "png", Width = width, Height = height, Source = source, Rating = rating, SizeBytes = 100 },
            new Provenance("test:" + sha, sha + ".png", source, "MIT", null, null),
            tags.Select(t => Tags.Parse(t)));

    public void Dispose()
    {
        Workspace.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
