using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Imaging;

namespace Atelier.Training.Runs;

/// <summary>
/// The shard export a run reads. Exported on first use into the workspace, keyed by the snapshot's
/// root hash and the resolution, so every run on the same data and size shares one copy.
/// </summary>
public static class TrainingExports
{
    public static string Prepare(Workspace workspace, SnapshotRecord snapshot, int resolution, CancellationToken cancellation)
    {
        string directory = workspace.TrainingExportDirectory(snapshot.RootHash, resolution);
        if (File.Exists(Path.Combine(directory, "dataset.json"))) return directory;
        // A folder without dataset.json is an export that was interrupted: start it again.
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        DatasetExport.Run(workspace, new DatasetExportRequest(snapshot.Name, directory, resolution, FitMode.Crop, new Rgb(255, 255, 255), ExportFormat.Shards), cancellation);
        return directory;
    }
}
