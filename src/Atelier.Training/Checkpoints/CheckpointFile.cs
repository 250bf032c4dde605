using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Datasets;

namespace Atelier.Training.Checkpoints;

/// <summary>
/// The checkpoint file format, version 1 (all integers little-endian):
/// <code>
/// "ATLCKPT1" | u32 version | u32 header bytes | u32 section count | header JSON (UTF-8)
/// | per section: u16 name bytes, name (UTF-8), u64 length, SHA-256 (32 bytes)
/// | SHA-256 of everything above (32 bytes) | section data, in table order
/// </code>
/// The table hash catches a damaged header, the per-section hashes damaged data, and the lengths a
/// truncated file, so Load either returns exactly what was saved or refuses with one line.
/// </summary>
public static class CheckpointFile
{
    public const int Version = 1;
    public const string PartialSuffix = ".partial";
    private static ReadOnlySpan<byte> Magic => "ATLCKPT1"u8;
    private const int MaxHeaderBytes = 64 << 20;
    private const int MaxSections = 4096;
    private const int MaxNameBytes = 1024;

    /// <summary>
    /// Writes <c>path.partial</c> in the same folder, flushes it to disk, renames it over
    /// <paramref name="path"/> and flushes the folder. On failure the partial file is deleted and
    /// whatever was at <paramref name="path"/> before is untouched.
    /// </summary>
    /// <returns>SHA-256 (lower-case hex) of the whole file.</returns>
    /// <exception cref="TrainingException">"disk-full" when the disk filled up, "checkpoint-write" for other I/O failures.</exception>
    public static string Save(string path, CheckpointContent content)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(content);
        byte[] table = BuildTable(content, out var sections);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full)!;
        string partial = full + PartialSuffix;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                stream.Write(table);
                hash.AppendData(table);
                foreach (var (_, data) in sections)
                {
                    stream.Write(data);
                    hash.AppendData(data);
                }
                stream.Flush(flushToDisk: true);
            }
            File.Move(partial, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            PartialFile.DeleteQuietly(partial);
            if (DiskFull.Is(e))
                throw new TrainingException("disk-full", $"the disk is full while saving checkpoint {full}; the previous checkpoint is intact: free space and resume the run");
            throw new TrainingException("checkpoint-write", $"cannot save checkpoint {full}: {OneLine(e.Message)}; the previous checkpoint is intact");
        }
        try
        {
            FolderSync.Flush(folder);
        }
        catch (IOException e)
        {
            throw new TrainingException("checkpoint-write", $"checkpoint {full} was written but its folder could not be flushed to disk: {OneLine(e.Message)}");
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <exception cref="TrainingException">"checkpoint-missing", "checkpoint-foreign", "checkpoint-version",
    /// "checkpoint-truncated" or "checkpoint-corrupt", with the file and what is wrong.</exception>
    public static CheckpointContent Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new TrainingException("checkpoint-missing", $"checkpoint {path} does not exist");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            long length = stream.Length;
            var fixedPart = new byte[Magic.Length + 12];
            int got = stream.ReadAtLeast(fixedPart, fixedPart.Length, throwOnEndOfStream: false);
            if (got < Magic.Length || !fixedPart.AsSpan(0, Magic.Length).SequenceEqual(Magic))
                throw Refuse("checkpoint-foreign", path, "is not an Atelier checkpoint (no ATLCKPT1 magic)");
            if (got < fixedPart.Length) throw Truncated(path, length);
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(8));
            if (version != Version)
                throw Refuse("checkpoint-version", path, $"is checkpoint format version {version}; this Atelier reads version {Version}");
            uint headerBytes = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(12));
            uint count = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart.AsSpan(16));
            if (headerBytes > MaxHeaderBytes || count > MaxSections)
                throw Refuse("checkpoint-corrupt", path, $"has an implausible table ({headerBytes} header bytes, {count} sections)");

            using var tableHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            tableHash.AppendData(fixedPart);
            byte[] header = ReadExactly(stream, (int)headerBytes, path, length, tableHash);
            var entries = new List<(string Name, long Length, byte[] Sha)>((int)count);
            for (int i = 0; i < count; i++)
            {
                byte[] nameLength = ReadExactly(stream, 2, path, length, tableHash);
                int nameBytes = BinaryPrimitives.ReadUInt16LittleEndian(nameLength);
                if (nameBytes is 0 or > MaxNameBytes) throw Refuse("checkpoint-corrupt", path, $"section {i} has a name of {nameBytes} bytes");
                string name = Encoding.UTF8.GetString(ReadExactly(stream, nameBytes, path, length, tableHash));
                long sectionLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(ReadExactly(stream, 8, path, length, tableHash));
                if (sectionLength < 0 || sectionLength > Array.MaxLength)
                    throw Refuse("checkpoint-corrupt", path, $"section '{name}' claims {(ulong)sectionLength} bytes");
                entries.Add((name, sectionLength, ReadExactly(stream, 32, path, length, tableHash)));
            }
            byte[] storedTableHash = ReadExactly(stream, 32, path, length, null);
            if (!tableHash.GetHashAndReset().AsSpan().SequenceEqual(storedTableHash))
                throw Refuse("checkpoint-corrupt", path, "has a damaged header (table SHA-256 mismatch)");

            long expected = stream.Position + entries.Sum(e => e.Length);
            if (length < expected) throw Truncated(path, length, expected);
            if (length > expected) throw Refuse("checkpoint-corrupt", path, $"has {length - expected} unexpected bytes after its last section");

            var sections = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var (name, sectionLength, sha) in entries)
            {
                byte[] data = ReadExactly(stream, (int)sectionLength, path, length, null);
                if (!SHA256.HashData(data).AsSpan().SequenceEqual(sha))
                    throw Refuse("checkpoint-corrupt", path, $"section '{name}' is damaged (SHA-256 mismatch)");
                if (!sections.TryAdd(name, data)) throw Refuse("checkpoint-corrupt", path, $"has section '{name}' twice");
            }
            string headerJson;
            try { headerJson = new UTF8Encoding(false, true).GetString(header); }
            catch (DecoderFallbackException) { throw Refuse("checkpoint-corrupt", path, "has a header that is not UTF-8"); }
            return new CheckpointContent(headerJson, sections);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TrainingException("checkpoint-read", $"cannot read checkpoint {path}: {OneLine(e.Message)}");
        }
    }

    private static byte[] BuildTable(CheckpointContent content, out List<(string Name, byte[] Data)> sections)
    {
        ArgumentNullException.ThrowIfNull(content.HeaderJson);
        ArgumentNullException.ThrowIfNull(content.Sections);
        try { using var _ = JsonDocument.Parse(content.HeaderJson); }
        catch (JsonException e) { throw new ArgumentException($"checkpoint header is not JSON: {e.Message}", nameof(content)); }
        // Fixed order so the same content always gives the same bytes (and file hash).
        sections = [.. content.Sections.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value))];
        if (sections.Count > MaxSections) throw new ArgumentException($"{sections.Count} sections; at most {MaxSections}", nameof(content));

        using var table = new MemoryStream();
        byte[] header = Encoding.UTF8.GetBytes(content.HeaderJson);
        if (header.Length > MaxHeaderBytes) throw new ArgumentException($"checkpoint header of {header.Length} bytes is over {MaxHeaderBytes}", nameof(content));
        Span<byte> number = stackalloc byte[8];
        table.Write(Magic);
        WriteU32(table, Version);
        WriteU32(table, (uint)header.Length);
        WriteU32(table, (uint)sections.Count);
        table.Write(header);
        foreach (var (name, data) in sections)
        {
            ArgumentNullException.ThrowIfNull(data, name);
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            if (nameBytes.Length is 0 or > MaxNameBytes) throw new ArgumentException($"section name '{name}' must be 1..{MaxNameBytes} UTF-8 bytes", nameof(content));
            BinaryPrimitives.WriteUInt16LittleEndian(number, (ushort)nameBytes.Length);
            table.Write(number[..2]);
            table.Write(nameBytes);
            BinaryPrimitives.WriteUInt64LittleEndian(number, (ulong)data.LongLength);
            table.Write(number);
            table.Write(SHA256.HashData(data));
        }
        table.Write(SHA256.HashData(table.GetBuffer().AsSpan(0, (int)table.Length)));
        return table.ToArray();
    }

    private static void WriteU32(Stream s, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        s.Write(bytes);
    }

    private static byte[] ReadExactly(Stream stream, int count, string path, long length, IncrementalHash? hash)
    {
        if (stream.Position + count > length) throw Truncated(path, length);
        var bytes = new byte[count];
        stream.ReadExactly(bytes);
        hash?.AppendData(bytes);
        return bytes;
    }

    private static TrainingException Truncated(string path, long length, long? expected = null) =>
        Refuse("checkpoint-truncated", path, expected is { } e
            ? $"is truncated ({length} of {e} bytes); use an earlier checkpoint"
            : $"is truncated ({length} bytes end inside its header); use an earlier checkpoint");

    private static TrainingException Refuse(string code, string path, string what) => new(code, $"checkpoint {path} {what}");

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
