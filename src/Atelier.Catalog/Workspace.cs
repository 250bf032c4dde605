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
    public string DataDirectory => Path.Combine(Root, DirectoryName);
    public string ConfigPath => Path.Combine(DataDirectory, "config.json");

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

    private Workspace(string root, WorkspaceConfig config)
    {
        Root = root;
        Config = config;
        Blobs = new BlobStore(Path.Combine(DataDirectory, "blobs"), Path.Combine(DataDirectory, "tmp"));
        Catalog = Catalog.Open(Path.Combine(DataDirectory, "catalog.db"));
    }

    /// <summary>Creates a workspace in <paramref name="directory"/> (made if missing). Refuses an existing one.</summary>
    public static Workspace Init(string directory, WorkspaceConfig? initialConfig = null)
    {
        var root = Path.GetFullPath(directory);
        var data = Path.Combine(root, DirectoryName);
        if (File.Exists(Path.Combine(data, "config.json")))
            throw new AtelierException("workspace-exists", $"a workspace already exists in {root}");
        Directory.CreateDirectory(data);
        var config = initialConfig ?? new WorkspaceConfig();
        AtomicFile.WriteAllBytes(Path.Combine(data, "config.json"), JsonSerializer.SerializeToUtf8Bytes(config, WorkspaceConfig.JsonOptions));
        return new Workspace(root, config);
    }

    public static Workspace Open(string directory)
    {
        var root = Path.GetFullPath(directory);
        var configPath = Path.Combine(root, DirectoryName, "config.json");
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
        return new Workspace(root, config);
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
