using System.Text.RegularExpressions;
using Atelier.Imaging;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>`atelier report run` on runs trained through the CLI, and the catalog report beside it.</summary>
public class ReportRunCommandTests
{
    [Fact]
    public void ReportRunWritesOnePageForTrainedRunsAndTheCatalogReportStillWorks()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        cli.Ok("ingest", Repo.EmojiSample, "--metadata", "emoji.json", "--license", "Apache-2.0", "--map", "tags:category=category");
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "faces", "--where", "tag:smileys_&_emotion");
        foreach (var (name, seed) in new[] { ("r1", "1"), ("r2", "2") })
            cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.2", "--batch", "32", "--snapshot-kimg", "0.1",
                "--tick-kimg", "0.032", "--seed", seed, "--name", name, "--device", "cpu");

        var json = cli.Ok("report", "run", "r1", "r2", "--out", "page", "--json").Json;
        var index = Path.Combine(cli.Directory, "page", "index.html");
        Assert.Equal(index, json.GetProperty("index").GetString());
        Assert.Equal(["r1", "r2"], json.GetProperty("runs").EnumerateArray().Select(r => r.GetString()));
        var html = File.ReadAllText(index);
        Assert.Contains("<title>Atelier run report: r1, r2</title>", html);
        var images = Regex.Matches(html, "alt=\"([^\"]*)\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")
            .Select(m => (Alt: m.Groups[1].Value, Image: ImageDecoder.Decode(Convert.FromBase64String(m.Groups[2].Value)))).ToList();
        // Training recorded its energy, so every score is plotted against kimg, kWh and money; and the losses.
        var plots = json.GetProperty("plots").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains("score/pixel_fd against kimg", plots);
        Assert.Contains("losses against kimg", plots);
        Assert.Contains(plots, p => p.StartsWith("score/pixel_fd against kWh", StringComparison.Ordinal));
        Assert.Contains(plots, p => p.StartsWith("score/pixel_fd against money", StringComparison.Ordinal));
        Assert.All(plots, p => Assert.Contains(images, i => i.Alt == p));
        // Two grids per run (at 128 and 224 images), 64 samples of 32 px each: 8 × 8 tiles.
        var grids = images.Where(i => i.Alt.Contains("sample grid", StringComparison.Ordinal)).ToList();
        Assert.Equal(["r1 sample grid at 0.1 kimg", "r1 sample grid at 0.2 kimg", "r2 sample grid at 0.1 kimg", "r2 sample grid at 0.2 kimg"], grids.Select(g => g.Alt));
        Assert.All(grids, g => Assert.Equal((256, 256), (g.Image.Width, g.Image.Height)));
        Assert.Contains("Training: 1 training session, ", html);

        var text = cli.Ok("report", "run", "r1", "--out", "one");
        Assert.Equal($"Report on r1: {Path.Combine(cli.Directory, "one", "index.html")} (4 plots)", text.Out.Trim());

        // Refusals: one line on stderr, exit 1, nothing written.
        var unknown = cli.Run("report", "run", "r1", "nope", "--out", "bad");
        Assert.Equal((1, "atelier: no run named 'nope' (see `atelier runs list`)"), (unknown.Code, unknown.Error.Trim()));
        Assert.False(Directory.Exists(Path.Combine(cli.Directory, "bad")));
        File.WriteAllText(Path.Combine(cli.Directory, "a-file"), "x");
        var unwritable = cli.Run("report", "run", "r1", "--out", "a-file/page");
        Assert.Equal(1, unwritable.Code);
        Assert.StartsWith($"atelier: cannot write the report to {Path.Combine(cli.Directory, "a-file", "page")}: ", unwritable.Error);
        Assert.Single(unwritable.Error.Trim().Split('\n'));
        // Usage errors (no run, no --out): one line, exit 2, as for every command.
        foreach (var usage in new[] { cli.Run("report", "run", "--out", "x"), cli.Run("report", "run", "r1") })
        {
            Assert.Equal(2, usage.Code);
            Assert.Single(usage.Error.Trim().Split('\n'));
        }

        // The catalog report is unchanged beside its new subcommand.
        Assert.Equal(383, cli.Ok("report", "--json").Json.GetProperty("report").GetProperty("images").GetInt32());
        Assert.Contains("383 images", cli.Ok("report", "--rejections", "3").Out);
    }
}
