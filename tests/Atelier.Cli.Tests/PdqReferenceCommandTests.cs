using System.Globalization;
using System.Text.Json;
using Atelier.Hashing;
using Atelier.Imaging;

namespace Atelier.Cli.Tests;

/// <summary>
/// PDQ hashes leave and enter Atelier in the reference hex, computed the reference's way: what the CLI prints
/// for the PDQ reference JPEGs is what Meta's C++ <c>pdq-photo-hasher</c> printed (stored expected hashes), and
/// what it prints can be given back to <c>blocklist import</c>.
/// </summary>
public class PdqReferenceCommandTests
{
    private static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pdq");

    /// <summary>The ThreatExchange reference JPEGs and the large (over 512 px) pictures, with the C++ reference's hashes.</summary>
    private static Dictionary<string, (string Path, PdqHash Hash, int Quality)> References()
    {
        var all = new Dictionary<string, (string, PdqHash, int)>();
        foreach (var (folder, list) in new[] { ("images", "reference-hashes-cpp.txt"), ("large", "large/reference-hashes-cpp.txt") })
        {
            foreach (var line in File.ReadLines(Path.Combine(Fixtures, list)))
            {
                var parts = line.Split(',');
                var name = parts.Length == 3 ? Path.GetFileName(parts[2]) : "";
                var file = Path.Combine(Fixtures, folder, name);
                if (parts.Length == 3 && PdqHash.TryParse(parts[0], out var hash) && File.Exists(file))
                    all[name] = (file, hash, int.Parse(parts[1], CultureInfo.InvariantCulture));
            }
        }
        return all;
    }

    /// <summary>File name → (id, pdq text, quality) from <c>images show all --json</c>.</summary>
    private static Dictionary<string, (long Id, string Pdq, int Quality)> Shown(CliRunner cli)
    {
        var shown = new Dictionary<string, (long, string, int)>();
        foreach (var image in cli.Ok("images", "show", "all", "--json").Json.GetProperty("images").EnumerateArray())
        {
            var name = image.GetProperty("provenance")[0].GetProperty("fileName").GetString()!;
            shown[name] = (image.GetProperty("id").GetInt64(), image.GetProperty("pdq").GetString()!, image.GetProperty("pdqQuality").GetInt32());
        }
        return shown;
    }

    private static void CopyInto(CliRunner cli, string folder, IEnumerable<string> files)
    {
        var into = Directory.CreateDirectory(Path.Combine(cli.Directory, folder)).FullName;
        foreach (var file in files) File.Copy(file, Path.Combine(into, Path.GetFileName(file)));
    }

    [Fact]
    public void IngestedReferenceJpegsPrintTheCppReferenceHashes()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var references = References();
        CopyInto(cli, "in", references.Values.Select(r => r.Path));

        cli.Ok("ingest", "in", "--license", "BSD-3-Clause");
        var shown = Shown(cli);

        var compared = 0;
        foreach (var (name, (path, expected, quality)) in references)
        {
            if (quality < PdqResult.MinUsefulQuality) continue; // featureless: the reference itself says the hash means little
            var printed = PdqHash.Parse(shown[name].Pdq);
            var distance = printed.DistanceTo(expected);
            // Over 512 px the reference hashes a 512 x 512 nearest-neighbour resize of the full decode, as ingest now does.
            var large = Path.GetFileName(Path.GetDirectoryName(path)) == "large";
            Assert.True(distance <= (large ? 2 : 10), $"{name}: printed {shown[name].Pdq}, the C++ reference {expected}, distance {distance}");
            compared++;
        }
        Assert.True(compared >= 20, $"only {compared} reference hashes compared");

        // The text form prints the same reference hex.
        var (id, pdq, _) = shown["aaa-orig.jpg"];
        Assert.Contains($"pdq          {pdq} (quality", cli.Ok("images", "show", id.ToString(CultureInfo.InvariantCulture)).Out);
    }

    // Distinct pictures (the bridge variants would all match one another): three reference JPEGs and two large ones.
    private static readonly string[] Listed = ["q0122.jpg", "q0291.jpg", "q2821.jpg", "p004.jpg", "p149.jpg"];

    [Fact]
    public void HashesCopiedFromImagesShowQuarantineThoseImagesAndTheirReEncodedCopies()
    {
        var references = References();
        using var cli = new CliRunner();
        cli.Ok("init");
        CopyInto(cli, "in", references.Values.Select(r => r.Path));
        cli.Ok("ingest", "in", "--license", "BSD-3-Clause");
        var shown = Shown(cli);
        var list = string.Join('\n', Listed.Select(n => shown[n].Pdq)) + "\n";
        File.WriteAllText(Path.Combine(cli.Directory, "from-show.txt"), "# copied from atelier images show --json\n" + list);

        var import = cli.Ok("blocklist", "import", "from-show.txt", "--kind", "pdq", "--name", "copied", "--version", "1", "--json").Json;

        var quarantined = import.GetProperty("quarantined").EnumerateArray().Select(q => q.GetProperty("imageId").GetInt64()).ToHashSet();
        foreach (var name in Listed) Assert.Contains(shown[name].Id, quarantined);
        var hashes = Listed.Select(n => PdqHash.Parse(shown[n].Pdq)).ToArray();
        foreach (var (name, (imageId, pdq, quality)) in shown)
        {
            // Exactly the images within the match threshold of a listed hash, as the reference matches.
            var near = quality >= PdqResult.MinUsefulQuality && hashes.Any(h => h.DistanceTo(PdqHash.Parse(pdq)) <= PdqHasher.MatchThreshold);
            Assert.True(near == quarantined.Contains(imageId), $"{name}: near a listed hash {near}, quarantined {quarantined.Contains(imageId)}");
        }
        var left = cli.Ok("images", "list", "--json").Json.GetProperty("total").GetInt32();
        Assert.Equal(shown.Count - quarantined.Count, left);

        // The same pictures re-encoded (decoded, saved again as JPEG quality 80) into a workspace holding the list.
        using var other = new CliRunner();
        other.Ok("init");
        File.WriteAllText(Path.Combine(other.Directory, "from-show.txt"), list);
        other.Ok("blocklist", "import", "from-show.txt", "--kind", "pdq", "--name", "copied", "--version", "1");
        var copies = Directory.CreateDirectory(Path.Combine(other.Directory, "copies")).FullName;
        foreach (var name in Listed)
        {
            var decoded = ImageDecoder.Decode(File.ReadAllBytes(references[name].Path));
            File.WriteAllBytes(Path.Combine(copies, "copy-" + name), ImageEncoder.EncodeJpeg(decoded, 80));
        }

        var ingest = other.Ok("ingest", "copies", "--license", "BSD-3-Clause", "--json").Json;

        Assert.Equal(Listed.Length, ingest.GetProperty("quarantined").GetInt32());
        Assert.Equal(0, ingest.GetProperty("added").GetInt32());
        var stopped = other.Ok("quarantine", "list", "--json").Json.GetProperty("quarantine").EnumerateArray().ToList();
        Assert.Equal(Listed.Length, stopped.Count);
        // Stopped before becoming images: no image id.
        Assert.All(stopped, q => Assert.False(q.TryGetProperty("imageId", out var id) && id.ValueKind != JsonValueKind.Null));
        Assert.All(stopped, q => Assert.StartsWith("copy-", Path.GetFileName(q.GetProperty("origin").GetString())));
    }

    /// <summary>File name → hash from a <c>hash,quality,path</c> list of the exif-rotn fixtures.</summary>
    private static Dictionary<string, PdqHash> ExifList(string list) =>
        File.ReadLines(Path.Combine(Fixtures, "exif-rotn", list)).Select(l => l.Split(','))
            .ToDictionary(p => Path.GetFileName(p[2]), p => PdqHash.Parse(p[0]));

    private static string[] ExifFiles() => Directory.GetFiles(Path.Combine(Fixtures, "exif-rotn"), "*.jpg");

    [Fact]
    public void CameraJpegsWithAnOrientationTagStoreTheReferenceHashOfTheirStoredPixels()
    {
        var stored = ExifList("reference-hashes-cpp.txt");
        var displayed = ExifList("reference-hashes-displayed-cpp.txt");
        using var cli = new CliRunner();
        cli.Ok("init");
        CopyInto(cli, "in", ExifFiles());

        cli.Ok("ingest", "in", "--license", "BSD-3-Clause");

        var shown = cli.Ok("images", "show", "all", "--json").Json.GetProperty("images").EnumerateArray()
            .ToDictionary(i => i.GetProperty("provenance")[0].GetProperty("fileName").GetString()!);
        Assert.Equal(4, shown.Count);
        foreach (var (name, image) in shown)
        {
            var orientation = image.GetProperty("orientation").GetInt32();
            // Bit for bit, as the C++ reference printed it for the stored pixels.
            Assert.Equal(stored[name].ToHex(), image.GetProperty("pdq").GetString());
            var hasDisplayed = image.TryGetProperty("pdqDisplayed", out var d) && d.ValueKind == JsonValueKind.String;
            Assert.Equal(orientation != 1, hasDisplayed);
            // The displayed hash (a dihedral variant of the same DCT) is near what the reference makes of the turned picture.
            var asShown = hasDisplayed ? PdqHash.Parse(d.GetString()!) : stored[name];
            var distance = asShown.DistanceTo(displayed[name]);
            Assert.True(distance <= 20, $"{name} (orientation {orientation}): displayed hash {asShown.ToHex()}, the reference's of the turned picture {displayed[name].ToHex()}, distance {distance}");
        }
        Assert.Equal([1, 3, 6, 8], shown.Values.Select(i => i.GetProperty("orientation").GetInt32()).Order());
    }

    [Fact]
    public void AListOfTheDisplayedPicturesQuarantinesTheTaggedFiles()
    {
        var stored = ExifList("reference-hashes-cpp.txt");
        var displayed = ExifList("reference-hashes-displayed-cpp.txt");
        string[] turned = ["exif-rotn-3.jpg", "exif-rotn-6.jpg", "exif-rotn-8.jpg"];
        // The premise: the stored hash alone would miss each listed picture.
        foreach (var name in turned) Assert.True(stored[name].DistanceTo(displayed[name]) > PdqHasher.MatchThreshold, name);
        var list = string.Join('\n', turned.Select(n => displayed[n].ToHex())) + "\n";

        // A list imported before the files arrive stops them at ingest.
        using var cli = new CliRunner();
        cli.Ok("init");
        File.WriteAllText(Path.Combine(cli.Directory, "displayed.txt"), list);
        cli.Ok("blocklist", "import", "displayed.txt", "--kind", "pdq", "--name", "displayed", "--version", "1");
        CopyInto(cli, "in", ExifFiles());
        var ingest = cli.Ok("ingest", "in", "--license", "BSD-3-Clause", "--json").Json;
        Assert.Equal(turned.Length, ingest.GetProperty("quarantined").GetInt32());
        Assert.Equal(1, ingest.GetProperty("added").GetInt32());
        var stopped = cli.Ok("quarantine", "list", "--json").Json.GetProperty("quarantine").EnumerateArray()
            .Select(q => Path.GetFileName(q.GetProperty("origin").GetString()!)).Order().ToArray();
        Assert.Equal(turned, stopped);

        // A list imported after them quarantines the catalog images.
        using var later = new CliRunner();
        later.Ok("init");
        CopyInto(later, "in", ExifFiles());
        later.Ok("ingest", "in", "--license", "BSD-3-Clause");
        File.WriteAllText(Path.Combine(later.Directory, "displayed.txt"), list);
        var import = later.Ok("blocklist", "import", "displayed.txt", "--kind", "pdq", "--name", "displayed", "--version", "1", "--json").Json;
        Assert.Equal(turned.Length, import.GetProperty("quarantined").GetArrayLength());
        var left = later.Ok("images", "show", "all", "--json").Json.GetProperty("images").EnumerateArray()
            .Select(i => i.GetProperty("provenance")[0].GetProperty("fileName").GetString()!).ToArray();
        Assert.Equal(["exif-rotn-1.jpg"], left);
    }
}
