using System.Text.Json;

namespace Atelier.Catalog;

/// <summary>
/// A workspace is a folder holding <c>.atelier/</c>: the catalog database, the content-addressed
/// blob store and the configuration. Every command finds it through <c>--workspace</c>, else
/// <c>ATELIER_WORKSPACE</c>, else the current folder.
/// </summary>
public sealed class Workspace : IDisposable
{
    public const string DirectoryName = ".atelier";
    public const string EnvironmentVariable = "ATELIER_WORKSPACE";

    public string Root { get; }
    public string DataDirectory { get; }
    public string ConfigPath => Path.Combine(DataDirectory, "config.json");

    /// <summary>Where a run keeps its files (checkpoints, grids, metrics): .atelier/runs/NAME/.</summary>
    public string RunDirectory(string runName) => Path.Combine(DataDirectory, "runs", runName);

    /// <summary>File names inside a run's folder that other stages read (the studio shows them).</summary>
    public static class RunFiles
    {
        public const string Metrics = "metrics.jsonl";
        public const string LatestGrid = "latest-grid.png";
    }

    /// <summary>Where a job keeps what its worker wrote: .atelier/jobs/ID/ (log.txt, result.json) and, for a sampling job, its samples.</summary>
    public string JobDirectory(long jobId) => Path.Combine(DataDirectory, "jobs", jobId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>File names inside a job's folder.</summary>
    public static class JobFiles
    {
        /// <summary>What the command wrote on stderr: progress and its one-line reasons.</summary>
        public const string Log = "log.txt";
        /// <summary>The command's --json answer (stdout).</summary>
        public const string Result = "result.json";
        public const string Samples = "samples";
    }

    /// <summary>An init builds its workspace in a folder named so, next to <see cref="DirectoryName"/>, then renames it into place.</summary>
    private const string InitPrefix = DirectoryName + ".init-";

    /// <summary>The cached shard export runs read for one snapshot and resolution (it holds pixels).</summary>
    public string TrainingExportDirectory(string snapshotRoot, int resolution) =>
        Path.Combine(ExportsDirectory, $"{snapshotRoot[..16]}-{resolution}");

    /// <summary>Every cached training export of a snapshot, whatever its resolution.</summary>
    public IEnumerable<string> TrainingExportDirectories(string snapshotRoot)
    {
        return Directory.Exists(ExportsDirectory) ? Directory.EnumerateDirectories(ExportsDirectory, snapshotRoot[..16] + "-*") : [];
    }

    private string ExportsDirectory => Path.Combine(DataDirectory, "exports");
    public WorkspaceConfig Config { get; }
    public BlobStore Blobs { get; }
    public Catalog Catalog { get; }

    private Workspace(string root, WorkspaceConfig config, string? dataDirectory = null, bool pooled = false)
    {
        Root = root;
        DataDirectory = dataDirectory ?? Path.Combine(root, DirectoryName);
        Config = config;
        Blobs = new BlobStore(Path.Combine(DataDirectory, "blobs"), Path.Combine(DataDirectory, "tmp"));
        Catalog = Catalog.Open(Path.Combine(DataDirectory, "catalog.db"), pooled);
    }

    /// <summary>
    /// Creates a workspace in <paramref name="directory"/> (made if missing). Refuses an existing one.
    /// The workspace is built whole in a private folder next to its place, <paramref name="setUp"/> included
    /// (the CLI creates the key ring and the owner there), and renamed into place in one step. So of several
    /// inits at once exactly one creates it and the others refuse it as existing, as they would one after
    /// another; and a killed init leaves no <c>.atelier</c> that looks whole, only its private folder, which
    /// the next init removes (saying so through <paramref name="notice"/>).
    /// </summary>
    public static Workspace Init(string directory, WorkspaceConfig? initialConfig = null, Action<Workspace>? setUp = null, Action<string>? notice = null)
    {
        var root = Path.GetFullPath(directory);
        var data = Path.Combine(root, DirectoryName);
        var configPath = Path.Combine(data, "config.json");
        if (File.Exists(configPath)) throw Exists(root);
        Directory.CreateDirectory(root);
        if (ClearInterruptedInits(root) > 0)
            notice?.Invoke($"removed an unfinished workspace left in {root} by an interrupted 'atelier init'");
        if (Directory.Exists(data) && !File.Exists(configPath))
        {
            // An empty one is replaced; anything else there is not ours to throw away.
            try { Directory.Delete(data); }
            catch (DirectoryNotFoundException) { } // another init removed it first
            catch (IOException) when (!File.Exists(configPath))
            {
                throw new AtelierException("not-a-workspace", $"{data} exists but holds no workspace (no config.json): move it away, then run 'atelier init' again");
            }
            catch (IOException)
            {
                throw Exists(root); // another init has just put its workspace there
            }
        }
        var config = initialConfig ?? new WorkspaceConfig();
        var (building, temp) = StartBuilding(root);
        try
        {
            Directory.CreateDirectory(temp);
            AtomicFile.WriteAllBytes(Path.Combine(temp, "config.json"), JsonSerializer.SerializeToUtf8Bytes(config, WorkspaceConfig.JsonOptions));
            // Closed before the rename: SQLite must not reopen its journal files under the old name.
            using (var workspace = new Workspace(root, config, temp)) setUp?.Invoke(workspace);
            try
            {
                // rename(2) onto a folder that is not empty fails: the first init to get here wins, whatever the timing.
                Directory.Move(temp, data);
            }
            catch (IOException) when (File.Exists(configPath))
            {
                throw Exists(root);
            }
        }
        finally
        {
            if (Directory.Exists(temp)) TryDeleteFolder(temp);
            AtomicFile.TryDelete(temp + ".lock");
            building.Dispose();
        }
        return Open(root);
    }

    private static AtelierException Exists(string root) => new("workspace-exists", $"a workspace already exists in {root}");

    /// <summary>
    /// A private folder to build in, with its lock (taken before the folder exists, held until it is gone), so that
    /// another init can tell a folder being built from one a killed init left.
    /// </summary>
    private static (IDisposable Lock, string Folder) StartBuilding(string root)
    {
        for (var attempt = 0; ; attempt++)
        {
            var temp = Path.Combine(root, $"{InitPrefix}{Guid.NewGuid():N}");
            IDisposable? held;
            // Another init clearing leftovers may lock the new file in the moment between its creation and its lock: take another name.
            try { held = FileLock.TryTake(temp + ".lock"); }
            catch (IOException) when (attempt < 3) { held = null; }
            if (held is not null) return (held, temp);
        }
    }

    /// <summary>Removes what killed inits left (their lock is free); returns how many folders it removed.</summary>
    private static int ClearInterruptedInits(string root)
    {
        var cleared = 0;
        foreach (var lockPath in Directory.GetFiles(root, InitPrefix + "*.lock"))
        {
            try
            {
                using var held = FileLock.TryTake(lockPath);
                if (held is null) continue; // an init building right now
                var folder = lockPath[..^".lock".Length];
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                    cleared++;
                }
                File.Delete(lockPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: what stays is only clutter; it never looks like a workspace.
            }
        }
        return cleared;
    }

    private static void TryDeleteFolder(string path)
    {
        try { Directory.Delete(path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <param name="pooled">The catalog connection comes from and goes back to this process's pool (<see cref="Catalog.Open"/>): for the studio.</param>
    public static Workspace Open(string directory, bool pooled = false)
    {
        var root = Path.GetFullPath(directory);
        var configPath = Path.Combine(root, DirectoryName, "config.json");
        if (!File.Exists(configPath) && Directory.Exists(root) && Directory.EnumerateDirectories(root, InitPrefix + "*").Any())
            throw new AtelierException("unfinished-workspace", $"the workspace in {root} was never finished ('atelier init' there was interrupted, or is still running): run 'atelier init' there again");
        if (!File.Exists(configPath))
            throw new AtelierException("no-workspace", $"no Atelier workspace in {root} (run 'atelier init' there, or pass --workspace DIR or set {EnvironmentVariable})");
        WorkspaceConfig config;
        try
        {
            config = JsonSerializer.Deserialize<WorkspaceConfig>(File.ReadAllBytes(configPath), WorkspaceConfig.JsonOptions)
                     ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new AtelierException("bad-config", $"workspace config {configPath} is not valid JSON: {e.Message.Split('\n')[0]}");
        }
        return new Workspace(root, config, pooled: pooled);
    }

    /// <summary>The workspace folder a command should use: explicit option, then environment, then current folder.</summary>
    public static string Locate(string? explicitPath, string? environmentValue, string currentDirectory)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return Path.GetFullPath(explicitPath);
        if (!string.IsNullOrWhiteSpace(environmentValue)) return Path.GetFullPath(environmentValue);
        return Path.GetFullPath(currentDirectory);
    }

    public void Dispose() => Catalog.Dispose();
}
