using Atelier.Catalog;
using Atelier.Governance.Policy;

namespace Atelier.Governance.Tests;

/// <summary>Reading the policy file: defaults, values, line-numbered errors, and the hard rules it cannot touch.</summary>
public sealed class PolicyFileTests
{
    private static AtelierException Refused(string yaml) =>
        Assert.Throws<AtelierException>(() => PolicyFile.Parse(yaml, "/ws/.atelier/policy.yaml"));

    [Fact]
    public void TheDefaultFileIsTheBuiltInStrictPolicy()
    {
        var parsed = PolicyFile.Parse(PolicyFile.DefaultText, "policy.yaml");
        var builtIn = PolicyFile.BuiltIn;
        Assert.Equal(builtIn.Sha256, parsed.Sha256);
        Assert.Equal(builtIn with { Origin = "policy.yaml" }, parsed with { AllowedLicenses = builtIn.AllowedLicenses, ExcludedFlags = builtIn.ExcludedFlags });
        Assert.Equal(builtIn.AllowedLicenses, parsed.AllowedLicenses);
        Assert.Empty(parsed.ExcludedFlags);
        Assert.True(builtIn.RequireSource);
        Assert.True(builtIn.RequireRating);
        Assert.True(parsed.RequireRating);
        Assert.True(builtIn.HonourOptOut);
        Assert.Equal(64, builtIn.Sha256.Length);
        // The emoji demo ingests under Apache-2.0 and MIT: the strict default lets them through.
        Assert.True(builtIn.Allows("Apache-2.0"));
        Assert.True(builtIn.Allows("MIT"));
        Assert.False(builtIn.Allows(null));
        Assert.False(builtIn.Allows("GPL-3.0-only"));
    }

    [Fact]
    public void TheMemorizationThresholdsAreReadAndBadOnesRefusedNamingTheLine()
    {
        var p = PolicyFile.Parse("version: 1\nmemorization-pdq-distance: 20\nmemorization-feature-distance: 0.1\nmemorization-pixel-distance: 7.5\n", "policy.yaml");
        Assert.Equal(new MemorizationPolicy(20, 0.1, 7.5), p.Memorization);
        Assert.Equal(MemorizationPolicy.Default, PolicyFile.Parse("version: 1\n", "policy.yaml").Memorization);
        Assert.Equal(new MemorizationPolicy(31, 0.05, 30), MemorizationPolicy.Default);
        foreach (var (line, why) in new[]
                 {
                     ("memorization-pdq-distance: 300", "'memorization-pdq-distance' is a whole number from 0 to 256, not '300'"),
                     ("memorization-feature-distance: -0.1", "'memorization-feature-distance' is a number from 0 to 2, not '-0.1'"),
                     ("memorization-pixel-distance: lots", "'memorization-pixel-distance' is a number from 0 to 255, not 'lots'"),
                     ("memorization-pixel-distance: [1, 2]", "'memorization-pixel-distance' takes a single value, not a list"),
                 })
        {
            var e = Assert.Throws<AtelierException>(() => PolicyFile.Parse($"version: 1\n{line}\n", "policy.yaml"));
            Assert.Equal("bad-policy", e.Code);
            Assert.Equal($"policy.yaml line 2: {why}", e.Message);
        }
    }

    [Fact]
    public void OmittedKeysKeepTheirStrictDefaults()
    {
        var p = PolicyFile.Parse("version: 1\nname: studio\nrevision: 2026-11 legal review\n", "policy.yaml");
        Assert.Equal("studio", p.Name);
        Assert.Equal("2026-11 legal review", p.Revision);
        Assert.Equal(WorkspacePolicy.DefaultLicenses, p.AllowedLicenses);
        Assert.True(p.RequireSource);
        Assert.True(p.RequireRating);
        Assert.True(p.HonourOptOut);
        Assert.Equal(0, p.MinPdqQuality);
    }

    [Fact]
    public void EveryKeyIsRead()
    {
        var p = PolicyFile.Parse("""
                                 version: 1
                                 name: studio
                                 revision: "7"
                                 allowed-licenses: [CC0-1.0, LicenseRef-studio-*]
                                 require-source: false
                                 require-rating: false
                                 honour-opt-out: false
                                 min-pdq-quality: 50
                                 excluded-flags:
                                   - Blurry
                                   - low-information
                                 """, "policy.yaml");
        Assert.Equal(["CC0-1.0", "LicenseRef-studio-*"], p.AllowedLicenses);
        Assert.False(p.RequireSource);
        Assert.False(p.RequireRating);
        Assert.False(p.HonourOptOut);
        Assert.Equal(50, p.MinPdqQuality);
        Assert.Equal(["blurry", "low-information"], p.ExcludedFlags);
        Assert.True(p.Allows("LicenseRef-studio-owned"));
        Assert.True(p.Allows("cc0-1.0"));
        Assert.False(p.Allows("MIT"));
    }

    [Theory]
    [InlineData("MIT", true)]
    [InlineData("MIT OR GPL-3.0-only", true)]
    [InlineData("(GPL-3.0-only OR Apache-2.0)", true)]
    [InlineData("MIT AND Apache-2.0", true)]
    [InlineData("MIT AND GPL-3.0-only", false)]
    [InlineData("GPL-3.0-only", false)]
    [InlineData("", false)]
    public void LicenceExpressionsAreUnderstood(string license, bool allowed) =>
        Assert.Equal(allowed, PolicyFile.BuiltIn.Allows(license));

    [Theory]
    [InlineData("version: 1\ncolour: blue\n", "line 2: unknown key 'colour'")]
    [InlineData("version: 1\nmin-pdq-quality: 101\n", "line 2: 'min-pdq-quality' is a whole number from 0 to 100, not '101'")]
    [InlineData("version: 1\nmin-pdq-quality: -3\n", "line 2: 'min-pdq-quality' is a whole number")]
    [InlineData("version: 1\n\nrequire-source: maybe\n", "line 3: 'require-source' is true or false, not 'maybe'")]
    [InlineData("version: 1\nrequire-rating: [yes]\n", "line 2: 'require-rating' takes a single value, not a list")]
    [InlineData("version: 1\nallowed-licenses: MIT\n", "line 2: 'allowed-licenses' is a list")]
    [InlineData("version: 1\nallowed-licenses:\n  - MIT\n  - not a licence\n", "line 4: 'not a licence' in 'allowed-licenses' is not an SPDX id")]
    [InlineData("version: 1\nexcluded-flags: [blurry, 'bad flag!']\n", "line 2: 'bad flag!' in 'excluded-flags' is not a flag name")]
    [InlineData("version: 1\nname: [a, b]\n", "line 2: 'name' takes a single value, not a list")]
    [InlineData("version: 2\n", "line 1: policy schema version 2 is not supported")]
    [InlineData("name: studio\n", "'version: 1' is missing")]
    [InlineData("", "the file is empty")]
    [InlineData("version: 1\nallowed-licenses: [MIT\n", "line 3: not valid YAML")]
    [InlineData("- version: 1\n", "line 1: the policy must be a mapping")]
    [InlineData("version: 1\nname: a\nname: b\n", "not valid YAML")]
    public void BadFilesAreRefusedWithTheLine(string yaml, string expected)
    {
        var e = Refused(yaml);
        Assert.Equal("bad-policy", e.Code);
        Assert.StartsWith("policy.yaml line ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("version: 1\nallow-blocklisted: true\n", "allow-blocklisted", 2)]
    [InlineData("version: 1\nhard-rules:\n  consent: false\n", "hard-rules", 2)]
    [InlineData("version: 1\n# off\nrequire-consent: false\n", "require-consent", 3)]
    [InlineData("version: 1\nminimum-age: 16\n", "minimum-age", 2)]
    [InlineData("version: 1\nquarantine: off\n", "quarantine", 2)]
    [InlineData("version: 1\nallow-explicit-without-subjects: true\n", "allow-explicit-without-subjects", 2)]
    public void AnAttemptToSwitchOffAHardRuleIsRefusedAndSaysSo(string yaml, string key, int line)
    {
        var e = Refused(yaml);
        Assert.Contains($"line {line}: '{key}' would change a hard rule, and hard rules cannot be switched off", e.Message);
    }

    [Fact]
    public void AWorkspaceWithoutAFileUsesTheBuiltInAndInitWritesIt()
    {
        using var f = new PolicyFixture();
        Assert.Same(PolicyFile.BuiltIn, PolicyFile.Load(f.Workspace));
        var path = PolicyFile.WriteDefault(f.Workspace, force: false);
        Assert.Equal(Path.Combine(f.Workspace.DataDirectory, "policy.yaml"), path);
        var loaded = PolicyFile.Load(f.Workspace);
        Assert.Equal(path, loaded.Origin);
        Assert.Equal(PolicyFile.BuiltIn.Sha256, loaded.Sha256);
        Assert.Equal("policy-exists", Assert.Throws<AtelierException>(() => PolicyFile.WriteDefault(f.Workspace, force: false)).Code);

        File.WriteAllText(path, "version: 1\nrevision: \"2\"\nmin-pdq-quality: 60\n");
        var edited = PolicyFile.Load(f.Workspace);
        Assert.Equal("2", edited.Revision);
        Assert.NotEqual(PolicyFile.BuiltIn.Sha256, edited.Sha256);

        File.WriteAllText(path, "version: 1\nmin-quality: 60\n");
        Assert.Contains("policy.yaml line 2: unknown key 'min-quality'", Assert.Throws<AtelierException>(() => PolicyFile.Load(f.Workspace)).Message);
        PolicyFile.WriteDefault(f.Workspace, force: true);
        Assert.Equal(PolicyFile.BuiltIn.Sha256, PolicyFile.Load(f.Workspace).Sha256);
    }
}
