using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Atelier.Ingest.Http;
using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Sources;

/// <summary>
/// A list of image URLs (img2dataset style): <c>.txt</c> one URL a line (blank lines and <c>#</c> comments skipped),
/// <c>.csv</c> with a <c>url</c> column, or <c>.jsonl</c> objects with a <c>url</c> field. Other columns/fields become
/// item metadata through <see cref="SourceOptions.Mapping"/>. Downloads run <see cref="SourceOptions.HttpConcurrency"/>
/// at a time; outcomes come back in list order.
/// </summary>
public sealed class UrlListSource : IIngestSource
{
    private readonly string? _path;
    private readonly IReadOnlyList<string>? _urls;
    private readonly SourceOptions _options;

    /// <summary>Opens a list file; a CSV without a <c>url</c> column fails here with <see cref="SourceException"/>.</summary>
    public UrlListSource(string path, SourceOptions options)
    {
        _path = Path.GetFullPath(path);
        _options = options;
        if (Format == ".csv")
        {
            using var reader = new StreamReader(_path, Encoding.UTF8);
            using var csv = new CsvReader(reader);
            var header = csv.ReadRecord();
            if (header is null || !header.Any(h => IsUrlColumn(h)))
                throw new SourceException("bad-url-list", $"{_path}: CSV has no 'url' column in its header row");
        }
    }

    /// <summary>URLs given directly (e.g. a single URL argument).</summary>
    public UrlListSource(IReadOnlyList<string> urls, SourceOptions options)
    {
        _urls = urls;
        _options = options;
    }

    public string Description => _path is null ? "urls" : "list:" + _path;

    private string Format => _path is null ? ".txt" : Path.GetExtension(_path).ToLowerInvariant();

    private sealed record ListEntry(string LineOrigin, string? Url, JsonObject? Extra, string? Error);

    public async IAsyncEnumerable<IngestOutcome> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var fetcher = new HttpFetcher(_options);
        var window = new Queue<Task<IngestOutcome>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int concurrency = Math.Max(1, _options.HttpConcurrency);
        try
        {
            foreach (var entry in Entries())
            {
                var outcome = Plan(entry, seen);
                if (outcome is null) continue;
                window.Enqueue(outcome.Value.Immediate is { } done
                    ? Task.FromResult(done)
                    : fetcher.FetchAsync(outcome.Value.Url!, outcome.Value.Metadata, stop.Token));
                while (window.Count >= concurrency)
                    yield return await window.Dequeue().ConfigureAwait(false);
            }
            while (window.Count > 0)
                yield return await window.Dequeue().ConfigureAwait(false);
        }
        finally
        {
            // A consumer that stops early must not leave downloads running.
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var pending in window)
            {
                try { await pending.ConfigureAwait(false); }
                catch (OperationCanceledException) { }
            }
        }
    }

    private (IngestOutcome? Immediate, Uri? Url, ItemMetadata? Metadata)? Plan(ListEntry entry, HashSet<string> seen)
    {
        if (entry.Error is not null)
            return (new IngestRejection(entry.LineOrigin, RejectionCodes.BadListLine, entry.Error), null, null);
        if (!Uri.TryCreate(entry.Url!.Trim(), UriKind.Absolute, out var url))
            return (new IngestRejection(entry.LineOrigin, RejectionCodes.BadUrl, $"'{Clip(entry.Url)}' is not an absolute URL"), null, null);
        var origin = HttpFetcher.OriginOf(url);
        if (!HttpFetcher.IsSupportedScheme(url))
            return (new IngestRejection(origin, RejectionCodes.UnsupportedScheme, $"scheme '{url.Scheme}' is not http or https"), null, null);
        if (!seen.Add(origin))
            return (new IngestRejection(entry.LineOrigin, RejectionCodes.DuplicateUrl, $"{url.AbsoluteUri} is listed earlier"), null, null);
        if (_options.ShouldSkip(origin)) return null;
        try
        {
            var metadata = MetadataComposer.Compose(_options.Mapping, manifestEntry: entry.Extra, fallbackSourceUrl: url.AbsoluteUri);
            return (null, url, metadata);
        }
        catch (FormatException e)
        {
            // Not fetched: its metadata says something we cannot read. Not marked done, so a fixed list retries it.
            return (new IngestRejection(origin, RejectionCodes.UnreadableMetadata, $"{entry.LineOrigin}: {e.Message}"), null, null);
        }
    }

    private IEnumerable<ListEntry> Entries()
    {
        if (_urls is not null)
        {
            for (int i = 0; i < _urls.Count; i++) yield return new ListEntry($"urls#{i + 1}", _urls[i], null, null);
            yield break;
        }
        var listOrigin = "list:" + _path;
        using var reader = new StreamReader(_path!, Encoding.UTF8);
        switch (Format)
        {
            case ".csv":
            {
                using var csv = new CsvReader(reader);
                var header = csv.ReadRecord()!.Select(h => h.Trim()).ToList();
                int urlColumn = header.FindIndex(IsUrlColumn);
                while (true)
                {
                    List<string>? record;
                    string? error = null;
                    try { record = csv.ReadRecord(); }
                    catch (FormatException e) { record = null; error = e.Message; }
                    if (error is not null) { yield return new ListEntry($"{listOrigin}#{csv.RecordLine}", null, null, error); yield break; }
                    if (record is null) yield break;
                    var line = $"{listOrigin}#{csv.RecordLine}";
                    if (record.Count <= urlColumn || string.IsNullOrWhiteSpace(record[urlColumn]))
                    {
                        yield return new ListEntry(line, null, null, "row has no url");
                        continue;
                    }
                    var extra = new JsonObject();
                    for (int i = 0; i < header.Count && i < record.Count; i++)
                        if (i != urlColumn) extra[header[i]] = record[i];
                    yield return new ListEntry(line, record[urlColumn], extra, null);
                }
            }
            case ".jsonl":
            {
                int lineNo = 0;
                while (reader.ReadLine() is { } text)
                {
                    lineNo++;
                    if (string.IsNullOrWhiteSpace(text)) continue;
                    var line = $"{listOrigin}#{lineNo}";
                    JsonObject? obj;
                    string? error = null;
                    try { obj = JsonNode.Parse(text) as JsonObject; if (obj is null) error = "expected a JSON object"; }
                    catch (JsonException e) { obj = null; error = e.Message.ReplaceLineEndings(" "); }
                    if (obj is null || error is not null) { yield return new ListEntry(line, null, null, error); continue; }
                    var urlKey = obj.Select(p => p.Key).FirstOrDefault(IsUrlColumn);
                    if (urlKey is null || obj[urlKey] is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
                    {
                        yield return new ListEntry(line, null, null, "object has no string 'url' field");
                        continue;
                    }
                    var url = v.GetValue<string>();
                    obj.Remove(urlKey);
                    yield return new ListEntry(line, url, obj, null);
                }
                yield break;
            }
            default:
            {
                int lineNo = 0;
                while (reader.ReadLine() is { } text)
                {
                    lineNo++;
                    var trimmed = text.Trim();
                    if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
                    yield return new ListEntry($"{listOrigin}#{lineNo}", trimmed, null, null);
                }
                yield break;
            }
        }
    }

    private static bool IsUrlColumn(string name) => name.Trim().Equals("url", StringComparison.OrdinalIgnoreCase);

    private static string Clip(string? text) => text is null ? "" : text.Length <= 80 ? text : text[..80] + "…";
}
