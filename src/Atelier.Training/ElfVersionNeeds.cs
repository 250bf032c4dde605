using System.Buffers.Binary;
using System.Text;

namespace Atelier.Training;

/// <summary>
/// Reads and edits the symbol-version tables of an ELF64 little-endian shared library:
/// the versions it needs (.gnu.version_r) and the versions it defines (.gnu.version_d).
/// Only the one flag that makes a need weak is ever written; nothing is moved or resized.
/// </summary>
public static class ElfVersionNeeds
{
    const uint ShtGnuVerdef = 0x6ffffffd;
    const uint ShtGnuVerneed = 0x6ffffffe;
    const int SectionHeaderSize = 64;

    /// <summary>Every version need in the file, in table order.</summary>
    public static IReadOnlyList<VersionNeed> List(ReadOnlySpan<byte> elf)
    {
        var needs = new List<VersionNeed>();
        foreach (var section in Sections(elf, ShtGnuVerneed))
        {
            var strings = StringTable(elf, section.Link);
            long entry = section.Offset;
            // sh_info holds the entry count; bounding the walk by it also stops cyclic vn_next chains.
            for (uint i = 0; i < section.Info; i++)
            {
                var vn = Slice(elf, entry, 16, "verneed");
                ushort count = BinaryPrimitives.ReadUInt16LittleEndian(vn[2..]);
                string library = ReadString(elf, strings, BinaryPrimitives.ReadUInt32LittleEndian(vn[4..]));
                long aux = entry + BinaryPrimitives.ReadUInt32LittleEndian(vn[8..]);
                for (int j = 0; j < count; j++)
                {
                    var va = Slice(elf, aux, 16, "vernaux");
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(va[4..]);
                    string version = ReadString(elf, strings, BinaryPrimitives.ReadUInt32LittleEndian(va[8..]));
                    needs.Add(new VersionNeed(library, version, flags, aux + 4));
                    aux += BinaryPrimitives.ReadUInt32LittleEndian(va[12..]);
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(vn[12..]);
                if (next == 0) break;
                entry += next;
            }
        }
        return needs;
    }

    /// <summary>Every version name the file defines (e.g. libstdc++'s "GLIBCXX_3.4.30").</summary>
    public static IReadOnlyList<string> ListDefinitions(ReadOnlySpan<byte> elf)
    {
        var names = new List<string>();
        foreach (var section in Sections(elf, ShtGnuVerdef))
        {
            var strings = StringTable(elf, section.Link);
            long entry = section.Offset;
            for (uint i = 0; i < section.Info; i++)
            {
                var vd = Slice(elf, entry, 20, "verdef");
                ushort count = BinaryPrimitives.ReadUInt16LittleEndian(vd[6..]);
                // The first Verdaux names the version itself; later ones name its parents.
                if (count > 0)
                {
                    var vda = Slice(elf, entry + BinaryPrimitives.ReadUInt32LittleEndian(vd[12..]), 8, "verdaux");
                    names.Add(ReadString(elf, strings, BinaryPrimitives.ReadUInt32LittleEndian(vda)));
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(vd[16..]);
                if (next == 0) break;
                entry += next;
            }
        }
        return names;
    }

    /// <summary>
    /// Sets VER_FLG_WEAK on every need named <paramref name="version"/>, in place.
    /// Returns true when a byte changed, false when all were already weak.
    /// </summary>
    /// <exception cref="ElfFormatException">"no-such-need" when the file does not ask for that version.</exception>
    public static bool MarkWeak(Span<byte> elf, string version)
    {
        var matches = List(elf).Where(n => n.Version == version).ToList();
        if (matches.Count == 0)
            throw new ElfFormatException("no-such-need", $"the file does not need symbol version {version}");
        bool changed = false;
        foreach (var need in matches.Where(n => !n.IsWeak))
        {
            BinaryPrimitives.WriteUInt16LittleEndian(elf[(int)need.FlagsOffset..], (ushort)(need.Flags | VersionNeed.WeakFlag));
            changed = true;
        }
        return changed;
    }

    readonly record struct Section(uint Type, long Offset, long Size, uint Link, uint Info);

    static IEnumerable<Section> Sections(ReadOnlySpan<byte> elf, uint type)
    {
        var all = ReadSectionHeaders(elf);
        return all.Where(s => s.Type == type).ToList();
    }

    static List<Section> ReadSectionHeaders(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new ElfFormatException("not-elf", "the file does not start with the ELF magic");
        if (elf[4] != 2 || elf[5] != 1)
            throw new ElfFormatException("unsupported-elf", "only 64-bit little-endian ELF files are supported");
        long shoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3A..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3C..]);
        if (shnum == 0) return [];
        if (shentsize != SectionHeaderSize)
            throw new ElfFormatException("bad-section-headers", $"section header size is {shentsize}, expected {SectionHeaderSize}");
        var sections = new List<Section>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            var sh = Slice(elf, shoff + (long)i * SectionHeaderSize, SectionHeaderSize, "section header");
            var section = new Section(
                BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[24..]),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(sh[32..]),
                BinaryPrimitives.ReadUInt32LittleEndian(sh[40..]),
                BinaryPrimitives.ReadUInt32LittleEndian(sh[44..]));
            sections.Add(section);
        }
        return sections;
    }

    static Section StringTable(ReadOnlySpan<byte> elf, uint index)
    {
        var all = ReadSectionHeaders(elf);
        if (index >= all.Count)
            throw new ElfFormatException("bad-version-table", $"version table links to missing string table {index}");
        var table = all[(int)index];
        Slice(elf, table.Offset, table.Size, "string table");
        return table;
    }

    static string ReadString(ReadOnlySpan<byte> elf, Section table, uint offset)
    {
        if (offset >= table.Size)
            throw new ElfFormatException("bad-version-table", $"name offset {offset} lies outside its string table");
        var rest = elf.Slice((int)(table.Offset + offset), (int)(table.Size - offset));
        int end = rest.IndexOf((byte)0);
        if (end < 0)
            throw new ElfFormatException("bad-version-table", "a version name is not terminated");
        return Encoding.ASCII.GetString(rest[..end]);
    }

    static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset > elf.Length || length > elf.Length - offset)
            throw new ElfFormatException("truncated", $"{what} at offset {offset} runs past the end of the file ({elf.Length} bytes)");
        return elf.Slice((int)offset, (int)length);
    }
}
