using Atelier.TestSupport;

namespace Atelier.Cost.Tests;

/// <summary>A powercap tree in a temp folder laid out as the kernel does it, with counters the test sets.</summary>
public sealed class FakePowercap : IDisposable
{
    public const long Range = 262_143_328_850;
    private readonly TempDir _dir = new();

    public string Root => _dir.Path;

    public void Zone(string zone, string name, long energy, long range = Range)
    {
        _dir.Write($"{zone}/name", name + "\n");
        _dir.Write($"{zone}/energy_uj", energy + "\n");
        _dir.Write($"{zone}/max_energy_range_uj", range + "\n");
    }

    public void Set(string zone, long energy) => _dir.Write($"{zone}/energy_uj", energy + "\n");

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>
    /// Reads as the kernel would let an unprivileged user: a file without the owner's read bit is refused
    /// (tests may run as root, for whom the OS itself would not refuse).
    /// </summary>
    public static string ReadAsUser(string path) =>
        File.Exists(path) && (File.GetUnixFileMode(path) & UnixFileMode.UserRead) == 0
            ? throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.")
            : File.ReadAllText(path);

    public RaplReader Reader() => new(Root, ReadAsUser);

    public void Dispose() => _dir.Dispose();
}
