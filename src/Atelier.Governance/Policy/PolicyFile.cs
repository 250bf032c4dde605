using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Atelier.Catalog;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Atelier.Governance.Policy;

/// <summary>
/// Reads and writes the workspace policy file, <c>.atelier/policy.yaml</c>. Without one, the built-in
/// strict default applies (the same settings <c>atelier policy init</c> writes). A bad file is refused
/// with one line naming the line number; it never falls back silently to the default.
/// </summary>
public static partial class PolicyFile
{
    public const string FileName = "policy.yaml";
    public const string BuiltInOrigin = "built-in default";

    public static string DefaultPath(Workspace workspace) => Path.Combine(workspace.DataDirectory, FileName);

    /// <summary>The text <c>atelier policy init</c> writes: the built-in default, with comments.</summary>
    public const string DefaultText =
        """
        # Atelier policy: which images may be snapshotted, exported and trained on.
        # Evaluated at 'atelier dataset create', 'atelier dataset export' and 'atelier train'.
        #
        # Two rules are not configurable and apply whatever this file says:
        #   - blocklisted (quarantined) content is never snapshotted, exported or trained on;
        #   - an image rated questionable or explicit needs at least one linked subject, and every
        #     linked subject verified as 18 or older at the capture date, with an active, unexpired
        #     consent whose scopes include generative-training.

        # Schema of this file (this Atelier reads version 1).
        version: 1
        # Your name and version string for this policy; both are recorded with every snapshot and evaluation.
        name: atelier-default
        revision: "1"

        # SPDX licence ids an image's licence must be one of. An entry ending in * is a prefix,
        # e.g. LicenseRef-mystudio-* for content your studio owns or licensed itself.
        allowed-licenses:
          - CC0-1.0
          - PDDL-1.0
          - CC-BY-4.0
          - CC-BY-SA-4.0
          - MIT
          - Apache-2.0
          - BSD-2-Clause
          - BSD-3-Clause
          - OFL-1.1
          - Unlicense

        # Every image must name where it came from (its ingest source and provenance).
        require-source: true

        # Every image must be rated (general, sensitive, questionable or explicit) before it is used:
        # images come in unrated, and the consent rule above only sees a rating it is given.
        # 'atelier report' lists the unrated ones; rate them with 'atelier rate SELECTOR RATING'.
        require-rating: true

        # Honour AI opt-out signals (IPTC/PLUS data mining prohibited, X-Robots-Tag noai / noimageai):
        # true refuses such images at ingest and keeps out any that came in flagged 'opted-out';
        # false ingests them, flagged 'opted-out' with the signal.
        honour-opt-out: true

        # Minimum PDQ quality (0-100) of an image's perceptual hash; 0 turns the rule off.
        min-pdq-quality: 0

        # Flags (from 'atelier curate' or a reviewer) that keep an image out, e.g. [blurry, low-information].
        excluded-flags: []

        # Memorization check of 'atelier sample': a generated image at or under ANY of these distances to an image
        # of its run's training snapshot is withheld (not written; recorded with the distances).
        # PDQ Hamming distance in bits (0-256) between perceptual hashes:
        memorization-pdq-distance: 31
        # Cosine distance (0-2) between the feature network's vectors (ResNet18, as 'atelier eval' uses):
        memorization-feature-distance: 0.05
        # Tiled L2 on 32x32 pixels: the largest RMS difference (0-255) of the 4x4 tiles:
        memorization-pixel-distance: 30

        """;

    /// <summary>The workspace's policy: its policy file if there is one, else the built-in default.</summary>
    public static WorkspacePolicy Load(Workspace workspace)
    {
        var path = DefaultPath(workspace);
        return File.Exists(path) ? Parse(File.ReadAllBytes(path), path) : BuiltIn;
    }

    public static WorkspacePolicy BuiltIn { get; } = new() { Sha256 = Digest(Encoding.UTF8.GetBytes(DefaultText)), Revision = "1" };

    /// <summary>Writes the default policy file; refuses to overwrite one unless <paramref name="force"/>.</summary>
    public static string WriteDefault(Workspace workspace, bool force)
    {
        var path = DefaultPath(workspace);
        if (File.Exists(path) && !force)
            throw new AtelierException("policy-exists", $"{path} already exists (edit it, or pass --force to replace it with the default)");
        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(DefaultText));
        return path;
    }

    public static WorkspacePolicy Parse(string text, string origin) => Parse(Encoding.UTF8.GetBytes(text), origin);

    /// <summary>Reads a policy; throws a one-line <c>bad-policy</c> refusal naming the line for unknown keys and bad values.</summary>
    public static WorkspacePolicy Parse(byte[] bytes, string origin)
    {
        var where = origin == BuiltInOrigin ? "policy" : Path.GetFileName(origin);
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw Bad(where, e.Start.Line, $"not valid YAML: {FirstLine(e.InnerException?.Message ?? e.Message)}");
        }
        if (stream.Documents.Count == 0) throw Bad(where, 1, "the file is empty; it needs at least 'version: 1'");
        if (stream.Documents.Count > 1) throw Bad(where, stream.Documents[1].RootNode.Start.Line, "only one YAML document is allowed");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw Bad(where, stream.Documents[0].RootNode.Start.Line, "the policy must be a mapping of keys such as 'version: 1'");

        var policy = new WorkspacePolicy { Sha256 = Digest(bytes), Origin = origin, Revision = "" };
        var seenVersion = false;
        foreach (var (keyNode, value) in root.Children)
        {
            var line = keyNode.Start.Line;
            var key = keyNode is YamlScalarNode { Value: { } k } ? k : throw Bad(where, line, "keys must be plain words");
            if (HardRuleKey(key))
                throw Bad(where, line, $"'{key}' would change a hard rule, and hard rules cannot be switched off: blocklisted content is never used, and questionable or explicit images always need verified adult subjects with generative-training consent");
            policy = key switch
            {
                "version" => policy with { Version = Version(where, value, out seenVersion) },
                "name" => policy with { Name = Text(where, key, value) },
                "revision" => policy with { Revision = Text(where, key, value) },
                "allowed-licenses" => policy with { AllowedLicenses = List(where, key, value, LicensePattern(), "an SPDX id such as CC-BY-4.0 or LicenseRef-mystudio-*") },
                "require-source" => policy with { RequireSource = Bool(where, key, value) },
                "require-rating" => policy with { RequireRating = Bool(where, key, value) },
                "honour-opt-out" => policy with { HonourOptOut = Bool(where, key, value) },
                "min-pdq-quality" => policy with { MinPdqQuality = Int(where, key, value, 0, 100) },
                "excluded-flags" => policy with { ExcludedFlags = List(where, key, value, FlagPattern(), "a flag name such as blurry").Select(f => f.ToLowerInvariant()).ToList() },
                "memorization-pdq-distance" => policy with { Memorization = policy.Memorization with { PdqDistance = Int(where, key, value, 0, 256) } },
                "memorization-feature-distance" => policy with { Memorization = policy.Memorization with { FeatureDistance = Number(where, key, value, 0, 2) } },
                "memorization-pixel-distance" => policy with { Memorization = policy.Memorization with { PixelDistance = Number(where, key, value, 0, 255) } },
                _ => throw Bad(where, line, $"unknown key '{key}' (known keys: {string.Join(", ", Keys)})"),
            };
        }
        if (!seenVersion) throw Bad(where, root.Start.Line, $"'version: {WorkspacePolicy.SchemaVersion}' is missing (the schema of the policy file)");
        return policy;
    }

    private static readonly string[] Keys = ["version", "name", "revision", "allowed-licenses", "require-source", "require-rating", "honour-opt-out", "min-pdq-quality", "excluded-flags",
        "memorization-pdq-distance", "memorization-feature-distance", "memorization-pixel-distance"];

    /// <summary>Words that name a hard rule: a key built from them is an attempt to configure one.</summary>
    private static readonly HashSet<string> HardRuleWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "hard", "block", "blocklist", "blocklists", "blocklisted", "quarantine", "quarantined", "consent", "consents", "subject", "subjects",
        "age", "adult", "adults", "minor", "minors", "explicit", "questionable", "rating", "ratings", "verified", "verification",
    };

    private static bool HardRuleKey(string key) =>
        !Keys.Contains(key) && key.Split(['-', '_', ' ', '.'], StringSplitOptions.RemoveEmptyEntries).Any(HardRuleWords.Contains);

    private static int Version(string where, YamlNode value, out bool seen)
    {
        var version = Int(where, "version", value, 0, int.MaxValue);
        if (version != WorkspacePolicy.SchemaVersion)
            throw Bad(where, value.Start.Line, $"policy schema version {version} is not supported (this Atelier reads version {WorkspacePolicy.SchemaVersion})");
        seen = true;
        return version;
    }

    private static string Scalar(string where, string key, YamlNode value) =>
        value is YamlScalarNode { Value: { } s } ? s : throw Bad(where, value.Start.Line, $"'{key}' takes a single value, not a {(value is YamlSequenceNode ? "list" : "mapping")}");

    private static string Text(string where, string key, YamlNode value)
    {
        var s = Scalar(where, key, value).Trim();
        if (s.Length == 0 || s.Length > 200 || s.Any(char.IsControl)) throw Bad(where, value.Start.Line, $"'{key}' needs a one-line text of 1-200 characters");
        return s;
    }

    private static bool Bool(string where, string key, YamlNode value) => Scalar(where, key, value).Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        var s => throw Bad(where, value.Start.Line, $"'{key}' is true or false, not '{s}'"),
    };

    private static int Int(string where, string key, YamlNode value, int min, int max)
    {
        var s = Scalar(where, key, value).Trim();
        if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw Bad(where, value.Start.Line, $"'{key}' is a whole number{(max == int.MaxValue ? "" : $" from {min} to {max}")}, not '{s}'");
        return n;
    }

    private static double Number(string where, string key, YamlNode value, double min, double max)
    {
        var s = Scalar(where, key, value).Trim();
        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var x) || !(x >= min && x <= max))
            throw Bad(where, value.Start.Line, $"'{key}' is a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{s}'");
        return x;
    }

    private static List<string> List(string where, string key, YamlNode value, Regex pattern, string what)
    {
        if (value is not YamlSequenceNode sequence)
            throw Bad(where, value.Start.Line, $"'{key}' is a list, e.g. [a, b] or one '- item' a line");
        var items = new List<string>();
        foreach (var item in sequence.Children)
        {
            var s = item is YamlScalarNode { Value: { } v } ? v.Trim() : throw Bad(where, item.Start.Line, $"each entry of '{key}' is a single value");
            if (!pattern.IsMatch(s)) throw Bad(where, item.Start.Line, $"'{s}' in '{key}' is not {what}");
            if (!items.Contains(s, StringComparer.OrdinalIgnoreCase)) items.Add(s);
        }
        return items;
    }

    [GeneratedRegex(@"^(\*|[A-Za-z0-9][A-Za-z0-9.+-]*\*?)$", RegexOptions.CultureInvariant)]
    private static partial Regex LicensePattern();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex FlagPattern();

    private static AtelierException Bad(string where, long line, string why) =>
        new("bad-policy", $"{where} line {line}: {why}");

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    internal static string Digest(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
