using System.Text.Json;
using Atelier.TestSupport;

namespace Atelier.Cli.Tests;

/// <summary>The same `atelier train` gives the same numbers alone and with two more trainings running beside it.</summary>
public class TrainingDeterminismTests
{
    private static CliRunner WorkspaceWithEmoji()
    {
        var cli = new CliRunner();
        var images = Path.Combine(cli.Directory, "images");
        Directory.CreateDirectory(images);
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.EmojiSample, "img"), "*.png").Order(StringComparer.Ordinal).Take(32))
            File.Copy(file, Path.Combine(images, Path.GetFileName(file)));
        cli.Ok("init");
        cli.Ok("ingest", images, "--license", "Apache-2.0", "--source", "noto-emoji");
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "d");
        return cli;
    }

    /// <summary>metrics.jsonl without the speed, memory, time and cost figures, which depend on the machine.</summary>
    private static List<string> Logged(CliRunner cli) =>
        File.ReadAllLines(Path.Combine(cli.Directory, ".atelier", "runs", "r", "metrics.jsonl"))
            .Select(line => string.Join(",", JsonDocument.Parse(line).RootElement.EnumerateObject()
                .Where(p => !new[] { "speed/", "memory/", "time/", "cost/" }.Any(machine => p.Name.StartsWith(machine, StringComparison.Ordinal)))
                .Select(p => $"{p.Name}={p.Value.GetRawText()}")))
            .ToList();

    [Fact]
    public void ThreeTrainingProcessesAtOnceGiveTheNumbersOfOneAlone()
    {
        var workspaces = Enumerable.Range(0, 4).Select(_ => WorkspaceWithEmoji()).ToList();
        try
        {
            string[] Train(CliRunner cli) => ["--workspace", cli.Directory, "train", "--dataset", "d", "--model", "dcgan", "--resolution", "32",
                "--kimg", "0.192", "--batch", "16", "--tick-kimg", "0.032", "--snapshot-kimg", "0.096", "--seed", "1", "--name", "r", "--device", "cpu"];
            using (var alone = CrashTests.StartAtelier(Train(workspaces[0])))
            {
                alone.WaitForExit();
                Assert.Equal(0, alone.ExitCode);
            }
            var together = workspaces.Skip(1).Select(w => CrashTests.StartAtelier(Train(w))).ToList();
            foreach (var p in together)
            {
                p.WaitForExit();
                Assert.Equal(0, p.ExitCode);
                p.Dispose();
            }
            var expected = Logged(workspaces[0]);
            Assert.Equal(6, expected.Count);
            foreach (var w in workspaces.Skip(1)) Assert.Equal(expected, Logged(w));
        }
        finally
        {
            workspaces.ForEach(w => w.Dispose());
        }
    }
}
