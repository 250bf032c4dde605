using System.Diagnostics;
using System.Text.Json;
using Atelier.Provenance.Credentials;
using Atelier.TestSupport;

namespace Atelier.Provenance.Tests.Credentials;

/// <summary>
/// Our manifests checked by two C2PA readers we did not write: the reference implementation c2pa-rs (compiled to
/// WebAssembly, npm @contentauth/c2pa-wasm) and @trustnxt/c2pa-ts, both run by tests/c2pa-readers/read.mjs with the
/// test workspace's CA as the trust anchor. .ci/run installs node and the pinned packages (npm ci).
/// </summary>
public class ExternalReadersTests
{
    private static readonly string ReadersDirectory = Path.Combine(Repo.Root, "tests", "c2pa-readers");

    public static TheoryData<string, ImageKind> Cases => new()
    {
        { "c2pa-rs", ImageKind.Png }, { "c2pa-rs", ImageKind.Jpeg }, { "c2pa-ts", ImageKind.Png }, { "c2pa-ts", ImageKind.Jpeg },
    };

    [Theory, MemberData(nameof(Cases))]
    public void Our_manifest_is_valid_and_its_hard_binding_intact(string reader, ImageKind kind)
    {
        using var dir = new TempDir();
        var result = Run(reader, dir.Write("signed." + Extension(kind), ContentCredentialsTests.Signed(kind)), TestIdentities.AnchorsPem(dir));

        Assert.True(result.GetProperty("manifest").GetBoolean(), result.ToString());
        Assert.True(result.GetProperty("signature").GetBoolean(), result.ToString());
        Assert.True(result.GetProperty("trusted").GetBoolean(), result.ToString());
        Assert.True(result.GetProperty("hardBinding").GetBoolean(), result.ToString());
        Assert.True(result.GetProperty("valid").GetBoolean(), result.ToString());
        Assert.Empty(result.GetProperty("codes").EnumerateArray());
    }

    [Theory, MemberData(nameof(Cases))]
    public void A_modified_file_fails_the_hard_binding(string reader, ImageKind kind)
    {
        using var dir = new TempDir();
        var file = ContentCredentialsTests.Signed(kind);
        file[ContentCredentialsTests.ImageDataOffset(file, kind)] ^= 0x01;

        var result = Run(reader, dir.Write("modified." + Extension(kind), file), TestIdentities.AnchorsPem(dir));

        Assert.True(result.GetProperty("manifest").GetBoolean(), result.ToString());
        Assert.False(result.GetProperty("hardBinding").GetBoolean(), result.ToString());
        Assert.False(result.GetProperty("valid").GetBoolean(), result.ToString());
        Assert.Contains("assertion.dataHash.mismatch", result.GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
    }

    [Theory, MemberData(nameof(Cases))]
    public void Another_anchor_leaves_the_signer_untrusted(string reader, ImageKind kind)
    {
        using var dir = new TempDir();
        var anchors = dir.Write("other.pem", string.Concat(TestIdentities.OtherAnchors.Select(a => a.ExportCertificatePem() + "\n")));

        var result = Run(reader, dir.Write("signed." + Extension(kind), ContentCredentialsTests.Signed(kind)), anchors);

        Assert.True(result.GetProperty("hardBinding").GetBoolean(), result.ToString());
        Assert.False(result.GetProperty("trusted").GetBoolean(), result.ToString());
        Assert.False(result.GetProperty("valid").GetBoolean(), result.ToString());
    }

    private static string Extension(ImageKind kind) => kind == ImageKind.Png ? "png" : "jpg";

    internal static JsonElement Run(string reader, string image, string anchors)
    {
        Assert.True(Directory.Exists(Path.Combine(ReadersDirectory, "node_modules")),
            $"{ReadersDirectory}/node_modules is missing: run 'npm ci --ignore-scripts' there (.ci/run does)");
        var start = new ProcessStartInfo("node", ["read.mjs", reader, image, anchors])
        {
            WorkingDirectory = ReadersDirectory, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"node exited {process.ExitCode}: {stderr.Result}");
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
        var result = JsonDocument.Parse(line).RootElement.Clone();
        Assert.False(result.TryGetProperty("error", out var error), $"{reader} failed: {error}");
        return result;
    }
}
