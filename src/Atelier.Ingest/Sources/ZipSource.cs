using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace Atelier.Ingest.Sources;

/// <summary>
/// A .zip read entry by entry into memory (never extracted). Bomb limits are checked on the central directory
/// before any item is yielded, and every entry is read no further than its declared size, so the declared
/// totals bound what is really inflated.
/// </summary>
public sealed class ZipSource : IIngestSource
{
    private readonly string _path;
    private readonly SourceOptions _options;

    public ZipSource(string path, SourceOptions options)
    {
        _path = Path.GetFullPath(path);
        _options = options;
    }

    public string Description => "zip:" + _path;

    public async IAsyncEnumerable<IngestOutcome> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        var prefix = "zip:" + _path + "!";
        var archiveOrigin = "zip:" + _path;
        ZipArchive zip;
        long archiveBytes;
        IngestRejection? fatal = null;
        try
        {
            var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read);
            archiveBytes = stream.Length;
            try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false); }
            catch { stream.Dispose(); throw; }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            zip = null!;
            archiveBytes = 0;
            fatal = new IngestRejection(archiveOrigin, RejectionCodes.CorruptArchive, OneLine(e));
        }
        if (fatal is not null) { yield return fatal; yield break; }

        using (zip)
        {
            var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
            var early = new List<IngestRejection>();
            long total = 0;
            int count = 0;
            foreach (var entry in zip.Entries)
            {
                if (++count > _options.MaxEntries)
                {
                    fatal = new IngestRejection(archiveOrigin, RejectionCodes.TooManyEntries, $"more than {_options.MaxEntries:N0} entries");
                    break;
                }
                total += Math.Max(0, entry.Length);
                if (total > _options.MaxTotalUncompressedBytes)
                {
                    fatal = new IngestRejection(archiveOrigin, RejectionCodes.ArchiveTooLarge,
                        $"entries declare over {_options.MaxTotalUncompressedBytes:N0} uncompressed bytes");
                    break;
                }
                if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\')) continue; // folder entry
                string rel;
                try { rel = ArchiveEntryPath.Validate(entry.FullName); }
                catch (IngestFileException e) { early.Add(new IngestRejection(prefix + entry.FullName, e.Code, e.Message)); continue; }
                // Unix mode sits in the high 16 bits of the external attributes; S_IFLNK = 0xA000.
                int type = (entry.ExternalAttributes >> 16) & 0xF000;
                if (type == 0xA000)
                {
                    early.Add(new IngestRejection(prefix + rel, RejectionCodes.LinkEntry, "symbolic link entries are not followed"));
                    continue;
                }
                if (type != 0 && type != 0x8000)
                {
                    early.Add(new IngestRejection(prefix + rel, RejectionCodes.SpecialEntry, "not a regular file"));
                    continue;
                }
                if (!entries.TryAdd(rel, entry))
                    early.Add(new IngestRejection(prefix + rel, RejectionCodes.CorruptEntry, "duplicate entry name; the first one is kept"));
            }
            if (fatal is null && total >= _options.RatioCheckFloorBytes && total > archiveBytes * _options.MaxCompressionRatio)
                fatal = new IngestRejection(archiveOrigin, RejectionCodes.CompressionRatio,
                    $"expands {total / (double)Math.Max(1, archiveBytes):F0}x (limit {_options.MaxCompressionRatio:F0}x)");
            if (fatal is not null) { yield return fatal; yield break; }

            // Manifests first: one that cannot be read stops the archive before anything of it is yielded.
            var layout = ContainerLayout.Build(entries.Keys, _options, allowNestedManifestBase: true, rel => ReadHeader(entries[rel]), openArchives: false);
            var metadata = new ContainerMetadata(layout, _options, prefix, rel => ReadEntry(entries[rel]));
            foreach (var r in early) yield return r;
            foreach (var (rel, code, message) in layout.Skipped) yield return ContainerLayout.Skip(prefix + rel, rel, code, message);
            foreach (var r in metadata.ManifestRejections) yield return r;

            foreach (var rel in layout.Candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var origin = prefix + rel;
                if (_options.ShouldSkip(origin)) continue;
                yield return metadata.Outcome(rel, origin, () => ReadEntry(entries[rel]), e => e is InvalidDataException or IOException or NotSupportedException
                    ? new IngestRejection(origin, RejectionCodes.CorruptEntry, OneLine(e))
                    : null);
            }
        }
    }

    /// <summary>An entry's first bytes, inflated no further than that.</summary>
    private static byte[] ReadHeader(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        return FileKinds.ReadHeader(stream);
    }

    private byte[] ReadEntry(ZipArchiveEntry entry)
    {
        if (entry.Length > _options.MaxFileBytes) throw BoundedRead.TooLarge(entry.Length, _options.MaxFileBytes);
        using var stream = entry.Open();
        byte[] content;
        try
        {
            // Never inflate past the declared size: a lying header would otherwise defeat the bomb check.
            content = BoundedRead.ReadAll(stream, entry.Length, entry.Length);
        }
        catch (IngestFileException)
        {
            throw new IngestFileException(RejectionCodes.CorruptEntry, $"inflates past its declared {entry.Length:N0} bytes");
        }
        // The BCL's ZipArchive does not always check the CRC-32, so a corrupt or lying entry is caught here.
        if (content.Length != entry.Length || Crc32.HashToUInt32(content) != entry.Crc32)
            throw new IngestFileException(RejectionCodes.CorruptEntry, "content does not match its declared size and CRC-32");
        return content;
    }

    internal static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ").Trim();
}
