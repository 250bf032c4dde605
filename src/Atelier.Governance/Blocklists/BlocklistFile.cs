using System.Security.Cryptography;
using System.Text;
using Atelier.Hashing;

namespace Atelier.Governance.Blocklists;

/// <summary>
/// A blocklist file as read: one hex hash a line; blank lines and <c>#</c> comments are allowed.
/// Every line is checked before anything is stored, and the first bad one is refused with its number.
/// </summary>
public sealed record BlocklistFile(BlocklistKind Kind, IReadOnlyList<string> Hashes, string Sha256)
{
    /// <summary>Far above any real list (a million SHA-256s is 65 MB), low enough that a wrong file is refused quickly.</summary>
    public const long MaxBytes = 512L << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static BlocklistFile Parse(byte[] content, BlocklistKind kind)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException)
        {
            throw new AtelierException("bad-blocklist", "the blocklist is not text (UTF-8): expected one hex hash a line");
        }
        var digits = kind.HexDigits();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new List<string>();
        var number = 0;
        foreach (var raw in text.TrimStart('\uFEFF').Split('\n'))
        {
            number++;
            var line = raw;
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            if (comment >= 0) line = line[..comment];
            line = line.Trim();
            if (line.Length == 0) continue;
            if (!line.All(char.IsAsciiHexDigit))
                throw new AtelierException("bad-blocklist", $"line {number}: '{Shown(line)}' is not hex (expected one {digits}-digit hex {kind.Title()} hash a line)");
            if (line.Length != digits)
                throw new AtelierException("bad-blocklist", $"line {number}: '{Shown(line)}' has {line.Length} hex digits; {kind.Title()} hashes have {digits}");
            // PDQ lines are read by the one reference-hex parser, so a list holds what the hasher compares.
            var hash = kind == BlocklistKind.Pdq ? PdqHash.Parse(line).ToHex() : line.ToLowerInvariant();
            if (seen.Add(hash)) hashes.Add(hash);
        }
        if (hashes.Count == 0) throw new AtelierException("empty-blocklist", "the blocklist holds no hashes");
        return new BlocklistFile(kind, hashes, Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    /// <summary>Enough of a bad line to find it, on one line and never long.</summary>
    private static string Shown(string line)
    {
        var cut = line.Length > 24 ? line[..24] + "..." : line;
        return new string(cut.Select(c => char.IsControl(c) || c == '\'' ? '?' : c).ToArray());
    }
}
