using System.Buffers.Binary;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// JPEG: XMP in an APP1 segment after the Adobe header <c>http://ns.adobe.com/xap/1.0/\0</c>; the C2PA store in APP11
/// segments (JPEG XT boxes: "JP", box instance, sequence number from 1; every segment after the first repeats the
/// store's LBox/TBox). XMP goes after SOI and APP0; the store after the leading APP0/APP1 segments.
/// </summary>
internal sealed class JpegContainer : IImageContainer
{
    public static readonly JpegContainer Instance = new();
    private static readonly byte[] XmpHeader = "http://ns.adobe.com/xap/1.0/\0"u8.ToArray();
    private const byte App0 = 0xE0, App1 = 0xE1, App11 = 0xEB, StartOfScan = 0xDA, EndOfImage = 0xD9;
    private const int MaxSegmentPayload = 0xFFFF - 2;
    private const ushort BoxInstance = 1;

    private readonly record struct Segment(int Offset, byte Marker, int PayloadLength)
    {
        public int PayloadOffset => Offset + 4;
        public int End => Offset + 4 + PayloadLength;
    }

    /// <summary>The segments before the scan data, and where the scan data starts (copied verbatim).</summary>
    private static (List<Segment> Segments, int ScanStart) Segments(ReadOnlySpan<byte> b)
    {
        if (ImageKinds.Sniff(b) != ImageKind.Jpeg) throw new CredentialFormatException("not a JPEG file");
        var segments = new List<Segment>();
        var at = 2;
        while (true)
        {
            if (at + 4 > b.Length) throw new CredentialFormatException("the JPEG is truncated before its image data");
            if (b[at] != 0xFF) throw new CredentialFormatException($"the JPEG has a broken marker at byte {at}");
            var marker = b[at + 1];
            if (marker == 0xFF) { at++; continue; }
            if (marker is StartOfScan or EndOfImage) return (segments, at);
            if (marker is 0x01 or (>= 0xD0 and <= 0xD8)) throw new CredentialFormatException($"the JPEG has a stray marker 0x{marker:X2} before its image data");
            var length = BinaryPrimitives.ReadUInt16BigEndian(b[(at + 2)..]);
            if (length < 2 || at + 2 + length > b.Length) throw new CredentialFormatException("the JPEG is truncated (a segment runs past the end)");
            segments.Add(new Segment(at, marker, length - 2));
            at += 2 + length;
        }
    }

    private static ReadOnlySpan<byte> Payload(ReadOnlySpan<byte> b, Segment s) => b.Slice(s.PayloadOffset, s.PayloadLength);

    private static bool IsXmp(ReadOnlySpan<byte> b, Segment s) => s.Marker == App1 && Payload(b, s).StartsWith(XmpHeader);

    /// <summary>An APP11 JPEG XT segment: "JP", instance, sequence, then box bytes.</summary>
    private static bool IsJumbf(ReadOnlySpan<byte> b, Segment s, out ushort instance, out uint sequence)
    {
        (instance, sequence) = (0, 0);
        if (s.Marker != App11) return false;
        var p = Payload(b, s);
        if (p.Length < 16 || p[0] != (byte)'J' || p[1] != (byte)'P') return false;
        instance = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
        sequence = BinaryPrimitives.ReadUInt32BigEndian(p[4..]);
        return p.Slice(12, 4).SequenceEqual("jumb"u8);
    }

    /// <summary>Box instances whose first segment opens a C2PA manifest store (its description box's UUID starts with "c2pa").</summary>
    private static HashSet<ushort> C2paInstances(ReadOnlySpan<byte> b, List<Segment> segments)
    {
        var found = new HashSet<ushort>();
        foreach (var s in segments)
            if (IsJumbf(b, s, out var instance, out var sequence) && sequence == 1 && Payload(b, s) is var p && p.Length >= 28
                && p.Slice(20, 4).SequenceEqual("jumd"u8) && p.Slice(24, 4).SequenceEqual("c2pa"u8))
                found.Add(instance);
        return found;
    }

    public byte[] Strip(ReadOnlySpan<byte> image)
    {
        var (segments, scan) = Segments(image);
        var c2pa = C2paInstances(image, segments);
        var output = new List<byte>(image.Length);
        output.AddRange(image[..2]);
        foreach (var s in segments)
        {
            if (IsXmp(image, s) || (IsJumbf(image, s, out var instance, out _) && c2pa.Contains(instance))) continue;
            output.AddRange(image[s.Offset..s.End]);
        }
        output.AddRange(image[scan..]);
        return [.. output];
    }

    public byte[] WithXmp(ReadOnlySpan<byte> image, ReadOnlySpan<byte> xmp)
    {
        if (XmpHeader.Length + xmp.Length > MaxSegmentPayload) throw new ArgumentException("the XMP packet does not fit one APP1 segment", nameof(xmp));
        var (segments, scan) = Segments(image);
        var at = segments.TakeWhile(s => s.Marker == App0).Select(s => s.End).DefaultIfEmpty(2).Last();
        return PngContainer.Insert(image, Math.Min(at, scan), MakeSegment(App1, [.. XmpHeader, .. xmp]));
    }

    public int ManifestOffset(ReadOnlySpan<byte> image)
    {
        var (segments, scan) = Segments(image);
        var at = segments.TakeWhile(s => s.Marker is App0 or App1).Select(s => s.End).DefaultIfEmpty(2).Last();
        return Math.Min(at, scan);
    }

    public byte[] Wrap(ReadOnlySpan<byte> store)
    {
        var output = new List<byte>(store.Length + 64);
        var header = store[..8];
        uint sequence = 1;
        var rest = store;
        while (rest.Length > 0)
        {
            var overhead = sequence == 1 ? 8 : 16;
            var take = Math.Min(rest.Length, MaxSegmentPayload - overhead);
            var payload = new byte[overhead + take];
            payload[0] = (byte)'J';
            payload[1] = (byte)'P';
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), BoxInstance);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), sequence);
            if (sequence > 1) header.CopyTo(payload.AsSpan(8));
            rest[..take].CopyTo(payload.AsSpan(overhead));
            output.AddRange(MakeSegment(App11, payload));
            rest = rest[take..];
            sequence++;
        }
        return [.. output];
    }

    public (byte[]? Xmp, byte[]? ManifestStore) Find(ReadOnlySpan<byte> image)
    {
        var (segments, _) = Segments(image);
        byte[]? xmp = null;
        foreach (var s in segments)
            if (IsXmp(image, s)) { xmp = Payload(image, s)[XmpHeader.Length..].ToArray(); break; }
        var c2pa = C2paInstances(image, segments);
        if (c2pa.Count == 0) return (xmp, null);
        if (c2pa.Count > 1) throw new CredentialFormatException("the JPEG has more than one C2PA manifest store");
        var wanted = c2pa.Single();
        var parts = new List<(uint Sequence, Segment Segment)>();
        foreach (var s in segments)
            if (IsJumbf(image, s, out var instance, out var sequence) && instance == wanted) parts.Add((sequence, s));
        parts.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var first = Payload(image, parts[0].Segment);
        var total = BinaryPrimitives.ReadUInt32BigEndian(first[8..]);
        if (total > PngContainer.MaxManifest) throw new CredentialFormatException($"the JPEG's manifest store claims {total} bytes, over the {PngContainer.MaxManifest}-byte limit");
        var store = new List<byte>((int)total);
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i].Sequence != i + 1) throw new CredentialFormatException("the JPEG's APP11 segments of the manifest store are not in sequence (one is missing or repeated)");
            var p = Payload(image, parts[i].Segment);
            if (i > 0 && !p.Slice(8, 8).SequenceEqual(first.Slice(8, 8))) throw new CredentialFormatException("an APP11 segment of the manifest store does not repeat the store's box header");
            store.AddRange(p[(i == 0 ? 8 : 16)..]);
        }
        if (store.Count != total) throw new CredentialFormatException($"the JPEG's manifest store is {store.Count} bytes across its APP11 segments, but says {total} (truncated or altered)");
        return (xmp, [.. store]);
    }

    private static byte[] MakeSegment(byte marker, ReadOnlySpan<byte> payload)
    {
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = marker;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(payload.Length + 2));
        payload.CopyTo(segment.AsSpan(4));
        return segment;
    }
}
