using System.Formats.Tar;
using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace Atelier.Ingest.Sources;

/// <summary>
/// A .tar, .tar.gz or .tgz (e.g. an npm tarball, whose manifest sits under <c>package/</c>), read into memory, never extracted.
/// Pass one streams the whole archive to check every entry and the bomb limits and to keep the small
/// metadata files; only if it passes does pass two yield items, so a bomb or corrupt archive yields nothing but its rejection.
/// Pass one keeps every .txt/.json/.jsonl/.csv entry (each up to MaxFileBytes) in memory, because sidecars and the
/// manifest may come after the images in the stream.
/// </summary>
public sealed class TarSource : IIngestSource
{
    private static readonly string[] MetadataExtensions = [".txt", ".json", ".jsonl", ".csv"];
    private readonly string _path;
    private readonly SourceOptions _options;

    public TarSource(string path, SourceOptions options)
    {
        _path = Path.GetFullPath(path);
        _options = options;
    }

    public string Description => "tar:" + _path;

    private bool IsGzip => _path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || _path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    public async IAsyncEnumerable<IngestOutcome> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var prefix = "tar:" + _path + "!";
        var scan = Scan(prefix, cancellationToken);
        if (scan.Fatal is not null) { yield return scan.Fatal; yield break; }

        // Manifests first: one that cannot be read stops the archive before anything of it is yielded.
        var layout = ContainerLayout.Build(scan.Files, _options, allowNestedManifestBase: true,
            rel => scan.Small.TryGetValue(rel, out var whole) ? whole : scan.Headers.GetValueOrDefault(rel) ?? [], openArchives: false);
        var metadata = new ContainerMetadata(layout, _options, prefix, rel =>
            scan.Small.TryGetValue(rel, out var bytes) ? bytes : throw new IngestFileException(RejectionCodes.FileTooLarge, "metadata file too large"));
        foreach (var r in scan.Rejections) yield return r;
        foreach (var (rel, code, message) in layout.Skipped) yield return ContainerLayout.Skip(prefix + rel, rel, code, message);
        foreach (var r in metadata.ManifestRejections) yield return r;

        var wanted = new HashSet<string>(layout.Candidates.Where(c => !_options.ShouldSkip(prefix + c)), StringComparer.Ordinal);
        if (wanted.Count == 0) yield break;

        using var archive = OpenStream(out _);
        var reader = new TarReader(archive);
        while (wanted.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IngestOutcome? outcome = null;
            bool done = false;
            try
            {
                var entry = reader.GetNextEntry(copyData: false);
                if (entry is null) done = true;
                else if (IsRegular(entry.EntryType) && Normalise(entry.Name) is { } rel && wanted.Remove(rel))
                {
                    var origin = prefix + rel;
                    try
                    {
                        var content = entry.DataStream is null ? [] : BoundedRead.ReadAll(entry.DataStream, _options.MaxFileBytes, entry.Length);
                        outcome = new IngestItem(origin, Path.GetFileName(rel), content, metadata.For(rel));
                    }
                    catch (IngestFileException e) when (e.Code is RejectionCodes.FileTooLarge or RejectionCodes.UnreadableMetadata)
                    {
                        outcome = new IngestRejection(origin, e.Code, e.Message);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The file changed since pass one; stop here rather than guess.
                outcome = new IngestRejection("tar:" + _path, RejectionCodes.CorruptArchive, ZipSource.OneLine(e));
                done = true;
            }
            if (outcome is not null) yield return outcome;
            if (done) yield break;
        }
    }

    private sealed record ScanResult(List<string> Files, Dictionary<string, byte[]> Small, Dictionary<string, byte[]> Headers, List<IngestRejection> Rejections, IngestRejection? Fatal);

    private ScanResult Scan(string prefix, CancellationToken ct)
    {
        var files = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var small = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        // The first bytes of every other file, so the imaging layer can say which are images without a second pass.
        var headers = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var rejections = new List<IngestRejection>();
        try
        {
            using var archive = OpenStream(out _);
            var reader = new TarReader(archive);
            int count = 0;
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                ct.ThrowIfCancellationRequested();
                if (++count > _options.MaxEntries)
                    return Fatal(RejectionCodes.TooManyEntries, $"more than {_options.MaxEntries:N0} entries");
                string rel;
                try { rel = ArchiveEntryPath.Validate(entry.Name); }
                catch (IngestFileException e) { rejections.Add(new IngestRejection(prefix + entry.Name, e.Code, e.Message)); continue; }
                switch (entry.EntryType)
                {
                    case var t when IsRegular(t): break;
                    case TarEntryType.Directory: continue;
                    case TarEntryType.SymbolicLink or TarEntryType.HardLink:
                        rejections.Add(new IngestRejection(prefix + rel, RejectionCodes.LinkEntry, $"{entry.EntryType} to '{entry.LinkName}' is not followed"));
                        continue;
                    case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                        rejections.Add(new IngestRejection(prefix + rel, RejectionCodes.SpecialEntry, $"{entry.EntryType} entry is not a file"));
                        continue;
                    default:
                        rejections.Add(new IngestRejection(prefix + rel, RejectionCodes.UnsupportedEntry, $"{entry.EntryType} entries are not supported"));
                        continue;
                }
                if (!seen.Add(rel))
                {
                    rejections.Add(new IngestRejection(prefix + rel, RejectionCodes.CorruptEntry, "duplicate entry name; the first one is kept"));
                    continue;
                }
                files.Add(rel);
                if (IsMetadataFile(rel) && entry.Length <= _options.MaxFileBytes && entry.DataStream is not null)
                    small[rel] = BoundedRead.ReadAll(entry.DataStream, _options.MaxFileBytes, entry.Length);
                else if (entry.DataStream is not null)
                    headers[rel] = FileKinds.ReadHeader(entry.DataStream);
            }
        }
        catch (IngestFileException e)
        {
            return Fatal(e.Code, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Fatal(RejectionCodes.CorruptArchive, ZipSource.OneLine(e));
        }
        return new ScanResult(files, small, headers, rejections, null);

        ScanResult Fatal(string code, string message) => new([], [], [], [], new IngestRejection("tar:" + _path, code, message));
    }

    private bool IsMetadataFile(string rel)
    {
        var name = Path.GetFileName(rel);
        return MetadataExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
            || (_options.ManifestFileName is { } m && name.Equals(m, StringComparison.OrdinalIgnoreCase));
    }

    private Stream OpenStream(out FileStream file)
    {
        file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
        Stream inflated = IsGzip ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: false) : file;
        return new ArchiveLimitStream(inflated, IsGzip ? file : null, _options);
    }

    private static bool IsRegular(TarEntryType type) =>
        type is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile;

    private static string? Normalise(string name)
    {
        try { return ArchiveEntryPath.Validate(name); }
        catch (IngestFileException) { return null; }
    }
}
