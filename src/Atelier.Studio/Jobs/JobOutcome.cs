using System.Text.Json;
using Atelier.Catalog;

namespace Atelier.Studio.Jobs;

/// <summary>What a job's worker wrote: the last lines of its log, and its command's JSON answer (null until there is one).</summary>
public static class JobOutcome
{
    public static IReadOnlyList<string> LogTail(Workspace workspace, long id, int lines = 200)
    {
        var (all, _) = AppendedLines.Read(Path.Combine(workspace.JobDirectory(id), Workspace.JobFiles.Log), 0);
        return [.. all.TakeLast(lines)];
    }

    public static JsonElement? Result(Workspace workspace, long id)
    {
        var path = Path.Combine(workspace.JobDirectory(id), Workspace.JobFiles.Result);
        if (!File.Exists(path)) return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One sample file as <c>atelier verify</c> found it.</summary>
    public sealed record Verified(bool Identified, string? Mark, bool? CredentialsValid, bool? Tainted, string? Problem, DateTimeOffset At)
    {
        public string Describe() => !Identified
            ? $"not identified{(Problem is null ? "" : $": {Problem}")}"
            : $"identified by mark {Mark ?? "(none: by its manifest)"}; C2PA {(CredentialsValid == true ? "valid" : "NOT valid")}; lineage {(Tainted == true ? "TAINTED" : "clean")}";
    }

    /// <summary>Each file's latest verification among <paramref name="jobs"/> (verify jobs that left an answer), by path.</summary>
    public static IReadOnlyDictionary<string, Verified> Verifications(Workspace workspace, IEnumerable<JobRecord> jobs)
    {
        var found = new Dictionary<string, Verified>();
        foreach (var job in jobs.Where(j => j.Kind == "verify" && !j.IsOpen).OrderBy(j => j.Id))
        {
            if (Result(workspace, job.Id) is not { } result || !result.TryGetProperty("files", out var files)) continue;
            foreach (var f in files.EnumerateArray())
            {
                string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
                bool? Flag(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
                var mark = f.TryGetProperty("mark", out var m) && Flag(m, "found") == true ? Text(m, "payload") : null;
                var credentials = f.TryGetProperty("credentials", out var c) ? Flag(c, "valid") : null;
                var tainted = f.TryGetProperty("lineage", out var l) && l.ValueKind == JsonValueKind.Object ? Flag(l, "tainted") : null;
                if (Text(f, "file") is { } file)
                    found[file] = new Verified(Flag(f, "identified") == true, mark, credentials, tainted, Text(f, "problem"), job.FinishedAt ?? job.CreatedAt);
            }
        }
        return found;
    }
}
