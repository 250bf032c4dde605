using System.Text.Json;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>train, runs, sample and export-model through the CLI on a few emoji at 32x32.</summary>
public class TrainingCommandTests
{
    /// <summary>A workspace with the emoji sample rated general and a snapshot "faces" of its 34 smileys.</summary>
    internal static CliRunner WithDataset()
    {
        var cli = new CliRunner();
        cli.Ok("init");
        cli.Ok("ingest", Repo.EmojiSample, "--metadata", "emoji.json", "--license", "Apache-2.0", "--map", "tags:category=category");
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "faces", "--where", "tag:smileys_&_emotion");
        return cli;
    }

    [Fact]
    public void TrainListSampleAndExportAModel()
    {
        using var cli = WithDataset();
        var train = cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.128", "--batch", "32",
            "--snapshot-kimg", "0.064", "--name", "r1", "--device", "cpu", "--json").Json;
        Assert.Equal("finished", train.GetProperty("status").GetString());
        Assert.Equal(128, train.GetProperty("images").GetInt64());
        Assert.True(train.GetProperty("imagesPerSecond").GetDouble() > 0);
        Assert.True(File.Exists(train.GetProperty("latestGrid").GetString()));

        var runs = cli.Ok("runs", "list", "--json").Json.GetProperty("runs");
        Assert.Equal("r1", runs[0].GetProperty("name").GetString());
        var show = cli.Ok("runs", "show", "r1", "--json").Json;
        Assert.Equal(2, show.GetProperty("checkpoints").GetArrayLength());
        Assert.Equal(32, show.GetProperty("config").GetProperty("resolution").GetInt32());

        var outDir = Path.Combine(cli.Directory, "samples");
        var sample = cli.Ok("sample", "--run", "r1", "--n", "3", "--seed", "9", "--out", outDir, "--json").Json;
        Assert.Equal(3, sample.GetProperty("samples").GetArrayLength());
        Assert.Equal(3, Directory.GetFiles(outDir, "*.png").Length);
        Assert.Empty(sample.GetProperty("withheld").EnumerateArray());
        Assert.Equal(3, sample.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("markPayload").GetString()).Distinct().Count());
        // JPEG output, and the memorization check's line: these barely trained samples are nowhere near a training image.
        var jpegDir = Path.Combine(cli.Directory, "jpeg");
        var jpeg = cli.Ok("sample", "--run", "r1", "--n", "2", "--seed", "9", "--out", jpegDir, "--format", "jpeg");
        Assert.Contains("Wrote 2 samples (jpeg, 320 px) of run r1", jpeg.Out);
        Assert.Contains("Withheld 0 (memorization check against 34 images of snapshot faces; thresholds PDQ 31, ResNet18 0.05, pixels 30)", jpeg.Out);
        Assert.All(Directory.GetFiles(jpegDir), f => Assert.Equal("FFD8FF", Convert.ToHexString(File.ReadAllBytes(f).AsSpan(0, 3))));
        Assert.Equal(2, Directory.GetFiles(jpegDir, "*.jpg").Length);
        Assert.Contains("samples     5 written, 0 withheld by the memorization check", cli.Ok("runs", "show", "r1").Out);
        var badFormat = cli.Run("sample", "--run", "r1", "--n", "1", "--out", jpegDir, "--format", "gif");
        Assert.Equal(2, badFormat.Code);
        Assert.Contains("gif", badFormat.Error);

        var model = Path.Combine(cli.Directory, "g.safetensors");
        var export = cli.Ok("export-model", "r1", "--format", "safetensors", "--out", model, "--json").Json;
        Assert.Equal(model, export.GetProperty("path").GetString());
        using var descriptor = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(model, ".json")));
        Assert.Equal("r1", descriptor.RootElement.GetProperty("run").GetString());

        // A second run with the same name is refused; resuming a finished run to a longer length continues it.
        Assert.Equal(1, cli.Run("train", "--dataset", "faces", "--resolution", "32", "--name", "r1").Code);
        var longer = cli.Ok("train", "--resume", "r1", "--kimg", "0.192", "--json").Json;
        Assert.Equal(192, longer.GetProperty("images").GetInt64());
    }

    [Fact]
    public async Task TrainingPrintsNothingFromLibtorchBesideItsOwnLines()
    {
        // The modern model's convolutions asked NNPACK, which logged "Could not initialize NNPACK! Reason: Unsupported
        // hardware." to stderr on CPUs its cpuinfo does not know, 128 times at the start of a run (TorchBackends).
        using var cli = WithDataset();
        var r = await AtelierProcess.RunAsync(["train", "--workspace", cli.Directory, "--dataset", "faces", "--model", "modern", "--resolution", "32",
            "--kimg", "0.032", "--batch", "16", "--tick-kimg", "0.016", "--name", "quiet", "--device", "cpu"], TestContext.Current.CancellationToken);
        Assert.True(r.Code == 0, r.Error);
        Assert.DoesNotContain("NNPACK", r.Error);
        Assert.All(r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("kimg ", line));
    }

    [Fact]
    public async Task CtrlCWritesACheckpointExitsWith130AndTheRunResumes()
    {
        using var cli = WithDataset();
        var ws = cli.Directory;
        var progressSeen = new TaskCompletionSource();
        var error = new System.Text.StringBuilder();
        using (var process = CrashTests.StartAtelier("train", "--workspace", ws, "--dataset", "faces", "--resolution", "32", "--batch", "16",
            "--kimg", "50", "--tick-kimg", "0.032", "--snapshot-kimg", "50", "--name", "sig", "--device", "cpu"))
        {
            process.ErrorDataReceived += (_, e) =>
            {
                lock (error) error.AppendLine(e.Data);
                if (e.Data?.StartsWith("kimg ", StringComparison.Ordinal) == true) progressSeen.TrySetResult();
            };
            await progressSeen.Task.WaitAsync(TimeSpan.FromMinutes(3), TestContext.Current.CancellationToken);
            using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
            // Says what the run printed when it ended otherwise (a NaN stop is exit 1, not an interruption).
            lock (error) Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}, not 130; stderr:\n{error}");
        }
        lock (error) Assert.Contains("continue with `atelier train --resume sig`", error.ToString());
        var show = cli.Ok("runs", "show", "sig", "--json").Json;
        Assert.Equal("stopped", show.GetProperty("status").GetString());
        var stoppedAt = show.GetProperty("imagesSeen").GetInt64();
        Assert.InRange(stoppedAt, 32, 49_999);
        Assert.Equal(stoppedAt, show.GetProperty("checkpoints")[0].GetProperty("imagesSeen").GetInt64());

        var resumed = cli.Ok("train", "--resume", "sig", "--kimg", ((stoppedAt + 32) / 1000.0).ToString(System.Globalization.CultureInfo.InvariantCulture), "--json").Json;
        Assert.Equal("finished", resumed.GetProperty("status").GetString());
        Assert.Equal(stoppedAt + 32, resumed.GetProperty("images").GetInt64());
    }

    [Theory]
    [InlineData("no dataset named 'nope'", "train", "--dataset", "nope")]
    [InlineData("is not one of 32, 64, 128, 256", "train", "--dataset", "faces", "--resolution", "48")]
    [InlineData("flag", "train", "--dataset", "faces", "--resolution", "32", "--cond", "flag")]
    [InlineData("no run named 'ghost'", "sample", "--run", "ghost", "--out", "x")]
    [InlineData("no run named 'ghost'", "train", "--resume", "ghost")]
    [InlineData("--schedule-kimg -1 must be a positive length", "train", "--dataset", "faces", "--model", "modern", "--resolution", "32", "--schedule-kimg", "-1")]
    [InlineData("--early-stop counts evaluations without improvement: it needs --eval-every KIMG", "train", "--dataset", "faces", "--resolution", "32", "--early-stop", "3")]
    [InlineData("--eval-every -1 must be a positive number of kimg", "train", "--dataset", "faces", "--resolution", "32", "--eval-every", "-1")]
    [InlineData("--eval-samples 3 is outside 6..10000", "train", "--dataset", "faces", "--resolution", "32", "--eval-every", "1", "--eval-samples", "3")]
    [InlineData("--eval-samples says how many images each evaluation draws: it needs --eval-every KIMG", "train", "--dataset", "faces", "--resolution", "32", "--eval-samples", "30")]
    [InlineData("--early-stop -2 must be a positive number of evaluations", "train", "--dataset", "faces", "--resolution", "32", "--eval-every", "1", "--early-stop", "-2")]
    [InlineData("--budget-kwh 0 must be a positive number", "train", "--dataset", "faces", "--resolution", "32", "--budget-kwh", "0")]
    [InlineData("--budget-hours -1 must be a positive number", "train", "--dataset", "faces", "--resolution", "32", "--budget-hours", "-1")]
    [InlineData("--budget-usd: this workspace prices in EUR (cost.currency in config.json), and Atelier does not convert currencies; give --budget-money 5 for EUR 5", "train", "--dataset", "faces", "--resolution", "32", "--budget-usd", "5")]
    [InlineData("give --budget-money or --budget-usd, not both", "train", "--dataset", "faces", "--resolution", "32", "--budget-usd", "5", "--budget-money", "5")]
    public void BadRequestsGetOneLine(string expected, params string[] args)
    {
        using var cli = WithDataset();
        var result = cli.Run(args);
        Assert.Equal(1, result.Code);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.StartsWith("atelier: ", result.Error);
        Assert.Empty(cli.Ok("runs", "list", "--json").Json.GetProperty("runs").EnumerateArray());
    }
}
