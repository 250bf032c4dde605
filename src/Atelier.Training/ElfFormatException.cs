namespace Atelier.Training;

/// <summary>A file is not an ELF64 little-endian object we can read, or its version tables are damaged.</summary>
public sealed class ElfFormatException(string reason, string message) : Exception($"{reason}: {message}")
{
    /// <summary>Short machine-readable code, e.g. "not-elf", "truncated", "bad-version-table".</summary>
    public string Reason { get; } = reason;
}
