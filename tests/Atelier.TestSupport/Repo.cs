namespace Atelier.TestSupport;

public static class Repo
{
    /// <summary>The folder holding Atelier.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string EmojiSample => Path.Combine(Root, "data", "emoji-sample");

    /// <summary>A real 64×64 PNG from the emoji sample (Noto Emoji, Apache-2.0).</summary>
    public static byte[] Png(string name = "1f600.png") => File.ReadAllBytes(Path.Combine(EmojiSample, "img", name));

    /// <summary>The built <c>atelier</c> of the configuration these tests were built in (run it with <c>dotnet</c>).</summary>
    public static string AtelierDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            return Path.Combine(Root, "src", "Atelier.Cli", "bin", configuration, "net10.0", "atelier.dll");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atelier.sln"))) return dir.FullName;
        throw new InvalidOperationException("Atelier.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A scratch folder deleted afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("atelier-test-").FullName;

    public string Write(string relative, byte[] content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        return full;
    }

    public string Write(string relative, string text) => Write(relative, System.Text.Encoding.UTF8.GetBytes(text));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
