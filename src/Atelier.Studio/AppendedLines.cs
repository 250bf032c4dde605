namespace Atelier.Studio;

/// <summary>
/// The complete lines another process has appended to a file since byte <c>from</c> (a line still being written waits for its
/// newline), and the offset to read from next time: how the studio follows metrics.jsonl and a job's log.
/// </summary>
public static class AppendedLines
{
    public static (IReadOnlyList<string> Lines, long Next) Read(string path, long from)
    {
        if (!File.Exists(path)) return ([], from);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (from > stream.Length) from = 0;
        stream.Position = from;
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        if (end < 0) return ([], from);
        var lines = text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0).ToList();
        return (lines, from + System.Text.Encoding.UTF8.GetByteCount(text.AsSpan(0, end + 1)));
    }
}
