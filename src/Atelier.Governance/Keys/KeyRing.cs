using System.Text.Json;
using System.Text.Json.Serialization;
using Atelier.Catalog;

namespace Atelier.Governance.Keys;

/// <summary>
/// The workspace's keys, kept outside the catalog: a key file (default <c>.atelier/keyring.json</c>,
/// else the config's <c>keyFile</c>, else <c>ATELIER_KEY_FILE</c>) or one key in <c>ATELIER_KEY</c>
/// (base64). The active key seals new data and signs new audit entries; retired keys stay only so
/// that old audit entries still verify after a rotation.
/// </summary>
public sealed class KeyRing
{
    public const string FileVariable = "ATELIER_KEY_FILE";
    public const string KeyVariable = "ATELIER_KEY";
    public const string DefaultFileName = "keyring.json";
    private const string Format = "atelier-keyring-1";
    internal const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The file the ring was read from; null when the key came from <see cref="KeyVariable"/>.</summary>
    public string? FilePath { get; }
    public WorkspaceKey Active { get; }
    public IReadOnlyList<WorkspaceKey> Keys { get; }

    private KeyRing(string? filePath, WorkspaceKey active, IReadOnlyList<WorkspaceKey> keys)
    {
        FilePath = filePath;
        Active = active;
        Keys = keys;
    }

    public WorkspaceKey Find(string id) =>
        Keys.FirstOrDefault(k => k.Id == id)
        ?? throw new AtelierException("unknown-key", $"data was sealed or signed with key {id}, which is not in the workspace key ring{(FilePath is null ? "" : " " + FilePath)}");

    /// <summary>Where the key ring of <paramref name="workspace"/> is expected, given the environment.</summary>
    public static string DefaultPath(Workspace workspace, Func<string, string?> environment) =>
        environment(FileVariable) is { Length: > 0 } env ? Path.GetFullPath(env)
        : workspace.Config.KeyFile is { Length: > 0 } configured ? Path.GetFullPath(configured, workspace.Root)
        : Path.Combine(workspace.DataDirectory, DefaultFileName);

    /// <summary>Reads the workspace's keys; a one-line reason when they are missing or unreadable.</summary>
    public static KeyRing Load(Workspace workspace, Func<string, string?> environment)
    {
        if (environment(KeyVariable) is { Length: > 0 } inline)
        {
            byte[] material;
            try { material = Convert.FromBase64String(inline.Trim()); }
            catch (FormatException) { throw new AtelierException("bad-key", $"{KeyVariable} is not base64"); }
            var key = new WorkspaceKey(material, DateTimeOffset.UnixEpoch, null);
            return new KeyRing(null, key, [key]);
        }
        return Read(DefaultPath(workspace, environment));
    }

    public static bool Exists(Workspace workspace, Func<string, string?> environment) =>
        environment(KeyVariable) is { Length: > 0 } || File.Exists(DefaultPath(workspace, environment));

    /// <summary>Creates a new ring with one fresh key at <paramref name="path"/>; refuses to overwrite one.</summary>
    public static KeyRing Create(string path)
    {
        if (File.Exists(path)) throw new AtelierException("key-exists", $"a key ring already exists at {path}; it is never overwritten");
        var key = WorkspaceKey.Generate();
        var ring = new KeyRing(path, key, [key]);
        try
        {
            // Never replaced, even by a second process creating it at the same moment: entries signed with the first key must stay verifiable.
            ring.Save(replace: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new AtelierException("key-exists", $"a key ring already exists at {path}; it is never overwritten");
        }
        return ring;
    }

    /// <summary>
    /// A new active key; the old ones are kept as retired. Written to the key file before it is used.
    /// The file is read again first: another process may have rotated since this ring was loaded, and
    /// dropping the key it added would leave everything it re-sealed unreadable.
    /// </summary>
    public KeyRing Rotate()
    {
        if (FilePath is null)
            throw new AtelierException("key-in-environment", $"the key comes from {KeyVariable}; rotation needs a key file (set {FileVariable})");
        var onDisk = File.Exists(FilePath) ? Read(FilePath).Keys : [];
        var known = onDisk.Concat(Keys.Where(k => onDisk.All(d => d.Id != k.Id))).ToList();
        var now = DateTimeOffset.UtcNow;
        var fresh = WorkspaceKey.Generate();
        var ring = new KeyRing(FilePath, fresh, [.. known.Select(k => k.Retired is null ? k.Retire(now) : k), fresh]);
        ring.Save();
        return ring;
    }

    /// <summary>The ring as its file holds it now (another process may have rotated since this one was loaded).</summary>
    internal KeyRing Reload() => FilePath is null ? this : Read(FilePath);

    private static KeyRing Read(string path)
    {
        if (!File.Exists(path))
            throw new AtelierException("missing-key", $"the workspace key ring is not at {path}: restore it there, point {FileVariable} at it, or set {KeyVariable}");
        try
        {
            var file = JsonSerializer.Deserialize<RingFile>(File.ReadAllBytes(path), JsonOptions) ?? throw new JsonException("empty");
            if (file.Format != Format) throw new JsonException($"format is '{file.Format}', expected '{Format}'");
            var keys = file.Keys.Select(k => new WorkspaceKey(Convert.FromBase64String(k.Key), k.Created, k.Retired)).ToList();
            var active = keys.SingleOrDefault(k => k.Id == file.Active) ?? throw new JsonException($"active key {file.Active} is not in the ring");
            return new KeyRing(path, active, keys);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new AtelierException("bad-key", $"the key ring {path} cannot be read: {e.Message.Split('\n')[0]}");
        }
    }

    private void Save(bool replace = true)
    {
        var file = new RingFile(Format, Active.Id, Keys.Select(k => new RingKey(k.Id, k.MaterialBase64, k.Created, k.Retired)).ToList());
        var dir = Path.GetDirectoryName(FilePath!)!;
        Directory.CreateDirectory(dir);
        // Only the owner may read the keys, from the file's first byte (a chmod after writing leaves a moment where others can).
        AtomicFile.WriteAllBytes(FilePath!, JsonSerializer.SerializeToUtf8Bytes(file, JsonOptions), replace: replace, mode: FileMode);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private sealed record RingFile(string Format, string Active, List<RingKey> Keys);

    private sealed record RingKey(string Id, string Key, DateTimeOffset Created, DateTimeOffset? Retired);
}
