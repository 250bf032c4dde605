using System.Buffers.Binary;
using Atelier.Catalog;

namespace Atelier.Training.Reporting;

/// <summary>
/// The run's TensorBoard event files (TFRecord framing: u64 length, its masked CRC-32C, the Event
/// protobuf, its masked CRC-32C). On resume, records past the checkpoint are dropped so that the
/// curves show one history, as metrics.jsonl does; kept records are copied byte for byte.
/// </summary>
public static class TensorBoardEvents
{
    public const string FilePattern = "events.out.tfevents.*";

    /// <summary>Rewrites (atomically) each event file that holds a step above <paramref name="maxStep"/>; returns the records dropped.</summary>
    public static int TrimAfter(string runDirectory, long maxStep)
    {
        if (!Directory.Exists(runDirectory)) return 0;
        var dropped = 0;
        foreach (var path in Directory.GetFiles(runDirectory, FilePattern))
        {
            var file = File.ReadAllBytes(path);
            using var kept = new MemoryStream(file.Length);
            var changed = false;
            var at = 0;
            while (at < file.Length)
            {
                // A torn record (a crash mid-write) ends the file: it is dropped like a torn metrics line.
                if (at + 12 > file.Length) { changed = true; break; }
                var length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
                if (length > int.MaxValue || at + 12 + (long)length + 4 > file.Length) { changed = true; break; }
                var data = file.AsSpan(at + 12, (int)length);
                var size = 12 + (int)length + 4;
                if (Step(data) is { } step && step > maxStep)
                {
                    changed = true;
                    dropped++;
                }
                else kept.Write(file, at, size);
                at += size;
            }
            if (changed) AtomicFile.WriteAllBytes(path, kept.GetBuffer().AsSpan(0, (int)kept.Length));
        }
        return dropped;
    }

    /// <summary>The Event's step (field 2, varint), or null if the record has none or cannot be read.</summary>
    internal static long? Step(ReadOnlySpan<byte> ev)
    {
        var at = 0;
        while (at < ev.Length)
        {
            if (!Varint(ev, ref at, out var key)) return null;
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    if (!Varint(ev, ref at, out var value)) return null;
                    if (field == 2) return (long)value;
                    break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    if (!Varint(ev, ref at, out var len) || len > (ulong)(ev.Length - at)) return null;
                    at += (int)len;
                    break;
                default: return null;
            }
        }
        return null;
    }

    private static bool Varint(ReadOnlySpan<byte> data, ref int at, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && at < data.Length; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
