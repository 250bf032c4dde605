using Atelier.Catalog;
using Atelier.Datasets;
using Atelier.Imaging;

namespace Atelier.Training.Runs;

/// <summary>
/// The shard export a run reads. Exported on first use into the workspace, keyed by the snapshot's
/// root hash and the resolution, so every run on the same data and size shares one copy.
/// Several processes may want the same export at once: one builds it while the others wait on a
/// lock file, then they all read the finished copy. It is built in a private folder and renamed
/// into place whole, so nobody (not even a process that does not take the lock) ever sees a half export
/// under the final name.
/// </summary>
public static class TrainingExports
{
    /// <summary>What a folder being built is called: the final name plus this and a unique tail (so quarantine's clean-up, which matches the final name's prefix, removes it too).</summary>
    public const string BuildingSuffix = ".building-";

    public static string Prepare(Workspace workspace, SnapshotRecord snapshot, int resolution, CancellationToken cancellation)
    {
        string directory = workspace.TrainingExportDirectory(snapshot.RootHash, resolution);
        if (IsComplete(directory)) return directory;
        using (FileLock.Take(directory + ".lock", cancellation))
        {
            // Another process may have finished it while this one waited.
            if (IsComplete(directory)) return directory;
            // Under the lock nobody else builds this export, so whatever a killed export left is stale.
            foreach (var stale in Directory.EnumerateDirectories(Path.GetDirectoryName(directory)!, Path.GetFileName(directory) + BuildingSuffix + "*"))
                Directory.Delete(stale, recursive: true);
            // A final folder without dataset.json was left by an older version that exported in place and was interrupted.
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
            var building = directory + BuildingSuffix + Guid.NewGuid().ToString("N");
            try
            {
                DatasetExport.Run(workspace, new DatasetExportRequest(snapshot.Name, building, resolution, FitMode.Crop, new Rgb(255, 255, 255), ExportFormat.Shards, directory), cancellation);
                Directory.Move(building, directory);
            }
            catch
            {
                if (Directory.Exists(building)) Directory.Delete(building, recursive: true);
                throw;
            }
        }
        return directory;
    }

    private static bool IsComplete(string directory) => File.Exists(Path.Combine(directory, ExportWriter.DescriptorFileName));
}
