namespace Atelier.Training;

/// <summary>One symbol version a shared library asks of another (an Elf64_Vernaux entry).</summary>
/// <param name="Library">The library that must provide it, e.g. "libstdc++.so.6".</param>
/// <param name="Version">The version name, e.g. "GLIBCXX_3.4.32".</param>
/// <param name="Flags">vna_flags as stored.</param>
/// <param name="FlagsOffset">File offset of the two-byte vna_flags field.</param>
public sealed record VersionNeed(string Library, string Version, ushort Flags, long FlagsOffset)
{
    /// <summary>VER_FLG_WEAK: the dynamic loader does not fail when the provider lacks this version.</summary>
    public const ushort WeakFlag = 0x2;

    public bool IsWeak => (Flags & WeakFlag) != 0;
}
