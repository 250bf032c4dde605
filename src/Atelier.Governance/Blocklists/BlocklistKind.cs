namespace Atelier.Governance.Blocklists;

/// <summary>What a blocklist's lines are: PDQ perceptual hashes (near matches) or exact file hashes.</summary>
public enum BlocklistKind
{
    Pdq,
    Sha256,
    Md5,
}

public static class BlocklistKinds
{
    public static string Name(this BlocklistKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The name as people write it, for messages.</summary>
    public static string Title(this BlocklistKind kind) => kind switch
    {
        BlocklistKind.Pdq => "PDQ",
        BlocklistKind.Sha256 => "SHA-256",
        _ => "MD5",
    };

    /// <summary>How many hex digits one entry of this kind has.</summary>
    public static int HexDigits(this BlocklistKind kind) => kind == BlocklistKind.Md5 ? 32 : 64;

    public static BlocklistKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "pdq" => BlocklistKind.Pdq,
        "sha256" or "sha-256" => BlocklistKind.Sha256,
        "md5" => BlocklistKind.Md5,
        _ => throw new AtelierException("bad-kind", $"unknown blocklist kind '{text}': use pdq, sha256 or md5"),
    };
}
