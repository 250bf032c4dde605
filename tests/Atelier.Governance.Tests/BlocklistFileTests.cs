using System.Text;
using Atelier.Catalog;
using Atelier.Governance.Blocklists;

namespace Atelier.Governance.Tests;

public class BlocklistFileTests
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private const string Md5 = "098f6bcd4621d373cade4e832627b4f6";

    private static BlocklistFile Parse(string text, BlocklistKind kind) => BlocklistFile.Parse(Encoding.UTF8.GetBytes(text), kind);

    private static AtelierException Refused(string text, BlocklistKind kind) => Assert.Throws<AtelierException>(() => Parse(text, kind));

    [Fact]
    public void CommentsBlankLinesCaseAndWindowsLineEndsAreAccepted()
    {
        var file = Parse($"# list v1\r\n\r\n{Sha.ToUpperInvariant()}\r\n  {Md5}{Md5}  # inline note\r\n{Sha}\n", BlocklistKind.Sha256);
        Assert.Equal([Sha, Md5 + Md5], file.Hashes); // lower-cased, the repeat dropped
        Assert.Equal(64, file.Sha256.Length);
    }

    [Fact]
    public void BadHexIsRefusedWithItsLineNumber()
    {
        var e = Refused($"# header\n{Md5}\n\n{Md5[..31]}g\n", BlocklistKind.Md5);
        Assert.Equal("bad-blocklist", e.Code);
        Assert.StartsWith("line 4: ", e.Message);
        Assert.Contains("not hex", e.Message);
    }

    [Theory]
    [InlineData(BlocklistKind.Md5, Sha, "has 64 hex digits; MD5 hashes have 32")]
    [InlineData(BlocklistKind.Sha256, Md5, "has 32 hex digits; SHA-256 hashes have 64")]
    [InlineData(BlocklistKind.Pdq, Md5, "has 32 hex digits; PDQ hashes have 64")]
    public void WrongLengthForTheKindIsRefused(BlocklistKind kind, string line, string reason)
    {
        var e = Refused($"{line}\n", kind);
        Assert.Equal("line 1: '" + line[..24] + "...' " + reason, e.Message);
    }

    [Fact]
    public void ControlCharactersAndBinaryAreRefusedOnOneLine()
    {
        var e = Refused("abc\u0007\u001b[31mdef\n", BlocklistKind.Md5);
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.Single(e.Message.Split('\n'));
        var binary = Assert.Throws<AtelierException>(() => BlocklistFile.Parse([0xff, 0xfe, 0x00, 0x81], BlocklistKind.Md5));
        Assert.Contains("not text", binary.Message);
    }

    [Fact]
    public void AListWithoutHashesIsRefused()
    {
        Assert.Equal("empty-blocklist", Refused("# nothing here\n\n", BlocklistKind.Pdq).Code);
    }

    [Fact]
    public void UnknownKindIsRefused()
    {
        Assert.Equal("bad-kind", Assert.Throws<AtelierException>(() => BlocklistKinds.Parse("sha1")).Code);
        Assert.Equal(BlocklistKind.Sha256, BlocklistKinds.Parse("SHA256"));
    }
}
