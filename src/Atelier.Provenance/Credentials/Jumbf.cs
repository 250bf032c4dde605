using System.Buffers.Binary;
using System.Text;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// JUMBF (ISO/IEC 19566-5) as C2PA uses it: a superbox <c>jumb</c> holds a description box <c>jumd</c>
/// (a 16-byte type UUID, toggles, a label) and content boxes (<c>cbor</c>, or further superboxes).
/// Every box is LBox (4 bytes, big-endian, the whole box) + TBox (4 ASCII) + payload.
/// </summary>
internal static class Jumbf
{
    /// <summary>C2PA's type UUIDs: a four-character code followed by the ISO suffix 0011-0010-8000-00AA00389B71.</summary>
    public static byte[] TypeUuid(string code) =>
        [.. Encoding.ASCII.GetBytes(code), 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

    public static readonly byte[] ManifestStore = TypeUuid("c2pa");
    public static readonly byte[] Manifest = TypeUuid("c2ma");
    public static readonly byte[] AssertionStore = TypeUuid("c2as");
    public static readonly byte[] Claim = TypeUuid("c2cl");
    public static readonly byte[] Signature = TypeUuid("c2cs");
    public static readonly byte[] CborAssertion = TypeUuid("cbor");

    /// <summary>A superbox with a requestable, labelled description box and the given content boxes (each a whole box).</summary>
    public static byte[] SuperBox(byte[] typeUuid, string label, params byte[][] contents)
    {
        var labelBytes = Encoding.UTF8.GetBytes(label);
        var description = new byte[8 + 16 + 1 + labelBytes.Length + 1];
        WriteHeader(description, "jumd");
        typeUuid.CopyTo(description, 8);
        description[24] = 0x03; // requestable + label present
        labelBytes.CopyTo(description, 25);
        return Box("jumb", [description, .. contents]);
    }

    /// <summary>A <c>cbor</c> content box around already-encoded CBOR.</summary>
    public static byte[] CborBox(byte[] cbor) => Box("cbor", [cbor]);

    private static byte[] Box(string type, byte[][] parts)
    {
        var length = 8 + parts.Sum(p => (long)p.Length);
        if (length > uint.MaxValue) throw new InvalidOperationException("a JUMBF box over 4 GiB");
        var box = new byte[length];
        WriteHeader(box, type);
        var at = 8;
        foreach (var part in parts)
        {
            part.CopyTo(box, at);
            at += part.Length;
        }
        return box;
    }

    private static void WriteHeader(byte[] box, string type)
    {
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        Encoding.ASCII.GetBytes(type, box.AsSpan(4, 4));
    }

    /// <summary>Parses one superbox; bounded depth and count, so hostile nesting gives a reason, not a stack overflow.</summary>
    public static JumbfSuperBox Parse(ReadOnlyMemory<byte> bytes)
    {
        var budget = new[] { MaxBoxes };
        var (box, used) = ParseSuper(bytes, 0, budget);
        if (used != bytes.Length) throw new CredentialFormatException($"the JUMBF manifest store has {bytes.Length - used} stray byte(s) after it");
        return box;
    }

    private const int MaxDepth = 8, MaxBoxes = 4096;

    private static (JumbfSuperBox Box, int Length) ParseSuper(ReadOnlyMemory<byte> bytes, int depth, int[] budget)
    {
        if (depth > MaxDepth) throw new CredentialFormatException("the JUMBF boxes are nested too deeply");
        var (type, payload, length) = ReadBox(bytes);
        if (type != "jumb") throw new CredentialFormatException($"expected a JUMBF superbox, found a '{Printable(type)}' box");
        var (dtype, description, dlength) = ReadBox(payload);
        if (dtype != "jumd") throw new CredentialFormatException("a JUMBF superbox does not start with its description box");
        var d = description.Span;
        if (d.Length < 17) throw new CredentialFormatException("a JUMBF description box is too short");
        var uuid = d[..16].ToArray();
        var toggles = d[16];
        string? label = null;
        if ((toggles & 0x02) != 0)
        {
            var end = d[17..].IndexOf((byte)0);
            if (end < 0) throw new CredentialFormatException("a JUMBF label is not terminated");
            try { label = new UTF8Encoding(false, true).GetString(d.Slice(17, end)); }
            catch (DecoderFallbackException) { throw new CredentialFormatException("a JUMBF label is not UTF-8"); }
        }
        var children = new List<JumbfSuperBox>();
        var contents = new List<(string Type, ReadOnlyMemory<byte> Payload)>();
        var rest = payload[dlength..];
        while (rest.Length > 0)
        {
            if (--budget[0] < 0) throw new CredentialFormatException("the JUMBF manifest store has too many boxes");
            var (ctype, cpayload, clength) = ReadBox(rest);
            if (ctype == "jumb")
            {
                var (child, used) = ParseSuper(rest, depth + 1, budget);
                children.Add(child);
                rest = rest[used..];
                continue;
            }
            contents.Add((ctype, cpayload));
            rest = rest[clength..];
        }
        return (new JumbfSuperBox(uuid, label, children, contents, payload), length);
    }

    private static (string Type, ReadOnlyMemory<byte> Payload, int Length) ReadBox(ReadOnlyMemory<byte> bytes)
    {
        var s = bytes.Span;
        if (s.Length < 8) throw new CredentialFormatException("a JUMBF box is truncated");
        var length = BinaryPrimitives.ReadUInt32BigEndian(s);
        // LBox 0 ("to the end") and 1 (64-bit length) are legal JUMBF but never written for C2PA in images; refused rather than guessed at.
        if (length < 8 || length > s.Length) throw new CredentialFormatException("a JUMBF box's length runs past its container (truncated or altered)");
        var type = Encoding.ASCII.GetString(s.Slice(4, 4));
        return (type, bytes[8..(int)length], (int)length);
    }

    private static string Printable(string type) => new(type.Select(ch => ch is >= ' ' and <= '~' ? ch : '?').ToArray());
}

/// <summary>One parsed superbox. <see cref="Payload"/> is its bytes after LBox/TBox: what a hashed URI to it covers.</summary>
internal sealed record JumbfSuperBox(
    byte[] TypeUuid, string? Label, IReadOnlyList<JumbfSuperBox> Children,
    IReadOnlyList<(string Type, ReadOnlyMemory<byte> Payload)> Contents, ReadOnlyMemory<byte> Payload)
{
    /// <summary>The child with this label. Labels are unique within a box, so a second one is refused rather than one picked.</summary>
    public JumbfSuperBox? Child(string label) => AtMostOne(Children.Where(c => c.Label == label), $"box labelled '{label}'");

    /// <summary>The one child of this type, or null; two are refused, since which one a reader trusts would be a guess.</summary>
    public JumbfSuperBox? OnlyChild(byte[] uuid, string what) => AtMostOne(Children.Where(c => c.Is(uuid)), what);

    private JumbfSuperBox? AtMostOne(IEnumerable<JumbfSuperBox> matches, string what)
    {
        JumbfSuperBox? found = null;
        foreach (var box in matches)
        {
            if (found is not null) throw new CredentialFormatException($"the JUMBF box '{Label}' holds more than one {what}");
            found = box;
        }
        return found;
    }

    public bool Is(byte[] uuid) => TypeUuid.AsSpan().SequenceEqual(uuid);

    /// <summary>The CBOR of the first <c>cbor</c> content box.</summary>
    public ReadOnlyMemory<byte> Cbor =>
        Contents.FirstOrDefault(c => c.Type == "cbor") is { Type: "cbor" } box ? box.Payload
        : throw new CredentialFormatException($"the JUMBF box '{Label}' has no CBOR content");
}
