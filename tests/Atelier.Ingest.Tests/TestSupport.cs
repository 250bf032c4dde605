using Atelier.Ingest;

namespace Atelier.Ingest.Tests;

internal static class Repo
{
    /// <summary>The folder holding Atelier.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string EmojiSample => Path.Combine(Root, "data", "emoji-sample");

    /// <summary>A real 64×64 PNG from the emoji sample (Noto Emoji, Apache-2.0).</summary>
    public static byte[] Png(string name = "1f600.png") => File.ReadAllBytes(Path.Combine(EmojiSample, "img", name));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Atelier.sln"))) return dir.FullName;
        throw new InvalidOperationException("Atelier.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A scratch folder deleted afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("atelier-ingest-").FullName;

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

internal static class Outcomes
{
    public static async Task<List<IngestOutcome>> ReadAll(IIngestSource source)
    {
        var list = new List<IngestOutcome>();
        await foreach (var o in source.ReadAsync(TestContext.Current.CancellationToken)) list.Add(o);
        return list;
    }

    public static List<IngestItem> Items(this IEnumerable<IngestOutcome> o) => o.OfType<IngestItem>().ToList();

    public static List<IngestRejection> Rejections(this IEnumerable<IngestOutcome> o) => o.OfType<IngestRejection>().ToList();
}
