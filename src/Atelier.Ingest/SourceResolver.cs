using Atelier.Ingest.Sources;

namespace Atelier.Ingest;

/// <summary>Turns a user's SOURCE argument into an <see cref="IIngestSource"/>.</summary>
public static class SourceResolver
{
    /// <summary>
    /// Picks by argument: an http(s) URL (one download); a directory; <c>.zip</c>; <c>.tar</c>, <c>.tar.gz</c>, <c>.tgz</c>;
    /// a URL list <c>.txt</c>, <c>.csv</c> (<c>url</c> column) or <c>.jsonl</c> (<c>url</c> field).
    /// Throws <see cref="SourceException"/> (codes <c>source-not-found</c>, <c>unsupported-source</c>, <c>bad-url-list</c>).
    /// </summary>
    public static IIngestSource Open(string source, SourceOptions? options = null)
    {
        options ??= new SourceOptions();
        if (string.IsNullOrWhiteSpace(source))
            throw new SourceException("source-not-found", "no source given");
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && !uri.IsFile && source.Contains("://", StringComparison.Ordinal))
        {
            if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                throw new SourceException("unsupported-source", $"'{source}': only http and https URLs are fetched");
            return new UrlListSource([source], options);
        }
        if (Directory.Exists(source)) return new FolderSource(source, options);
        if (!File.Exists(source))
            throw new SourceException("source-not-found", $"'{source}' is not a folder, file or http(s) URL");
        var name = Path.GetFileName(source).ToLowerInvariant();
        if (name.EndsWith(".zip", StringComparison.Ordinal)) return new ZipSource(source, options);
        if (name.EndsWith(".tar", StringComparison.Ordinal) || name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal))
            return new TarSource(source, options);
        if (name.EndsWith(".txt", StringComparison.Ordinal) || name.EndsWith(".csv", StringComparison.Ordinal) || name.EndsWith(".jsonl", StringComparison.Ordinal))
            return new UrlListSource(source, options);
        throw new SourceException("unsupported-source",
            $"'{source}': unknown kind (expected a folder, .zip, .tar, .tar.gz, .tgz, or a URL list .txt/.csv/.jsonl)");
    }
}
