using System.Globalization;
using Atelier.Evaluation.Tests;

namespace Atelier.Cli.Tests;

/// <summary>atelier eval on a tiny run trained on 34 emoji faces at 32x32.</summary>
public class EvalCommandTests
{
    [Fact]
    public async Task ScoresARunAgainstItsDataAndAnotherSnapshotWithSampleCounts()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        cli.Ok("ingest", Atelier.TestSupport.Repo.EmojiSample, "--metadata", "emoji.json", "--license", "Apache-2.0", "--map", "tags:category=category");
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "faces", "--where", "tag:smileys_&_emotion");
        cli.Ok("dataset", "create", "animals", "--where", "tag:animals_&_nature");
        cli.Ok("dataset", "create", "food", "--where", "tag:food_&_drink");
        cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.128", "--batch", "32", "--snapshot-kimg", "0.128", "--name", "r1", "--device", "cpu");

        var first = cli.Ok("eval", "--run", "r1", "--n", "24", "--json").Json;
        Assert.Equal("FD-ResNet18", first.GetProperty("distanceName").GetString());
        Assert.Equal("faces", first.GetProperty("snapshot").GetString());
        Assert.True(first.GetProperty("runsOwnSnapshot").GetBoolean());
        Assert.Equal(512, first.GetProperty("featureDimension").GetInt32());
        Assert.False(first.GetProperty("referenceFromCache").GetBoolean());
        foreach (var figure in new[] { "frechetDistance", "kid", "precision", "recall", "density", "coverage" })
        {
            Assert.Equal(24, first.GetProperty(figure).GetProperty("generated").GetInt32());
            Assert.Equal(34, first.GetProperty(figure).GetProperty("real").GetInt32());
        }
        double fd = first.GetProperty("frechetDistance").GetProperty("value").GetDouble();
        Assert.True(fd > 0, $"FD-ResNet18 of 128 images of training against emoji is {fd}");
        Assert.Equal(24, first.GetProperty("kid").GetProperty("subsetSize").GetInt32());
        Assert.InRange(first.GetProperty("precision").GetProperty("value").GetDouble(), 0, 1);
        Assert.False(first.TryGetProperty("perClass", out _)); // an unconditional run has no classes

        // The reference features now come from the cache, and the same seed gives the same numbers.
        var again = cli.Ok("eval", "--run", "r1", "--n", "24", "--json").Json;
        Assert.True(again.GetProperty("referenceFromCache").GetBoolean());
        Assert.Equal(fd, again.GetProperty("frechetDistance").GetProperty("value").GetDouble());
        Assert.Equal(first.GetProperty("kid").GetProperty("value").GetDouble(), again.GetProperty("kid").GetProperty("value").GetDouble());

        var against = cli.Ok("eval", "--run", "r1", "--n", "24", "--against", "animals", "--json").Json;
        Assert.Equal("animals", against.GetProperty("snapshot").GetString());
        Assert.False(against.GetProperty("runsOwnSnapshot").GetBoolean());
        Assert.Equal(32, against.GetProperty("frechetDistance").GetProperty("real").GetInt32());
        Assert.NotEqual(fd, against.GetProperty("frechetDistance").GetProperty("value").GetDouble());

        var text = cli.Ok("eval", "--run", "r1", "--n", "24").Out;
        Assert.Contains("FD-ResNet18", text);
        Assert.Contains(fd.ToString("0.00", CultureInfo.InvariantCulture), text);
        Assert.Contains("(24 generated, 34 real)", text);
        Assert.Contains("100 subsets of 24", text);
        Assert.DoesNotContain("FID", text);
        // As many generated as real, fewer than a subset: every subset is the whole of both, and no spread is claimed.
        var whole = cli.Ok("eval", "--run", "r1", "--n", "32", "--against", "animals").Out;
        Assert.Contains("(one subset of every sample, 32 generated, 32 real: no spread below 1001 a side)", whole);
        Assert.DoesNotContain("± 0.00000", whole);

        // Two commands at once against a snapshot nobody has measured yet: both compute it, both succeed with the
        // same numbers, and the cache they leave is whole.
        var both = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => cli.Run("eval", "--run", "r1", "--n", "24", "--against", "food", "--json"), TestContext.Current.CancellationToken)));
        Assert.All(both, r => Assert.True(r.Code == 0, r.Error));
        Assert.Equal(both[0].Json.GetProperty("frechetDistance").GetProperty("value").GetDouble(), both[1].Json.GetProperty("frechetDistance").GetProperty("value").GetDouble());
        var cached = cli.Ok("eval", "--run", "r1", "--n", "24", "--against", "food", "--json").Json;
        Assert.True(cached.GetProperty("referenceFromCache").GetBoolean());
        Assert.Equal(both[0].Json.GetProperty("frechetDistance").GetProperty("value").GetDouble(), cached.GetProperty("frechetDistance").GetProperty("value").GetDouble());

        // Another network through the same path: a tiny one the test writes.
        var tiny = TinyOnnx.Write(Path.Combine(cli.Directory, "tiny.onnx"));
        var other = cli.Ok("eval", "--run", "r1", "--n", "24", "--features", "onnx:" + tiny, "--output", "mean", "--mean", "0.5,0.5,0.5", "--std", "0.5,0.5,0.5", "--json").Json;
        Assert.Equal("FD-tiny", other.GetProperty("distanceName").GetString());
        Assert.Equal(3, other.GetProperty("featureDimension").GetInt32());
        Assert.False(other.GetProperty("referenceFromCache").GetBoolean());

        // Each eval is metered and recorded with the run; it is listed, not added to the training total.
        var energy = cli.Ok("runs", "show", "r1", "--json").Json.GetProperty("energy");
        Assert.Equal(9, energy.GetProperty("invocations").EnumerateArray().Count(e => e.GetProperty("stage").GetString() == "eval")); // 7 above, 2 at once
        Assert.Equal(1, energy.GetProperty("training").GetProperty("sessions").GetInt32());
    }

    [Fact]
    public void AClassRunIsAlsoScoredClassByClassWithTheCountsBehindEachFigure()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        cli.Ok("ingest", Atelier.TestSupport.Repo.EmojiSample, "--metadata", "emoji.json", "--license", "Apache-2.0", "--map", "tags:category=category");
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "faces-food", "--where", "tag:smileys_&_emotion,food_&_drink");
        cli.Ok("dataset", "create", "animals", "--where", "tag:animals_&_nature");
        int faces = cli.Ok("images", "list", "tag:smileys_&_emotion", "--json").Json.GetProperty("total").GetInt32();
        int food = cli.Ok("images", "list", "tag:food_&_drink", "--json").Json.GetProperty("total").GetInt32();
        cli.Ok("train", "--dataset", "faces-food", "--cond", "category", "--resolution", "32", "--kimg", "0.128", "--batch", "32", "--name", "c1", "--device", "cpu");

        var result = cli.Ok("eval", "--run", "c1", "--n", "24", "--json").Json;
        var perClass = result.GetProperty("perClass");
        Assert.Equal("category", perClass.GetProperty("category").GetString());
        var classes = perClass.GetProperty("classes").EnumerateArray().ToDictionary(k => k.GetProperty("label").GetString()!);
        Assert.Equal(["food_&_drink", "smileys_&_emotion"], classes.Keys.Order(StringComparer.Ordinal));
        // Drawn images cycle through the classes: 12 of each; the real ones are the snapshot's images of that class.
        Assert.All(classes.Values, k => Assert.Equal(12, k.GetProperty("generated").GetInt32()));
        Assert.Equal(faces, classes["smileys_&_emotion"].GetProperty("real").GetInt32());
        Assert.Equal(food, classes["food_&_drink"].GetProperty("real").GetInt32());
        double faceFd = classes["smileys_&_emotion"].GetProperty("value").GetDouble(), foodFd = classes["food_&_drink"].GetProperty("value").GetDouble();
        Assert.True(faceFd > 0 && foodFd > 0 && faceFd != foodFd, $"per-class FD {faceFd} and {foodFd}");
        Assert.NotEqual(result.GetProperty("frechetDistance").GetProperty("value").GetDouble(), faceFd);

        var text = cli.Ok("eval", "--run", "c1", "--n", "24").Out;
        Assert.Contains("per 'category' class, FD-ResNet18:", text);
        Assert.Contains($"{faceFd.ToString("0.00", CultureInfo.InvariantCulture)}  (12 generated, {faces} real)", text);

        // Against a snapshot with none of the run's classes, each class says why it has no figure.
        var against = cli.Ok("eval", "--run", "c1", "--n", "24", "--against", "animals", "--json").Json.GetProperty("perClass").GetProperty("classes");
        Assert.All(against.EnumerateArray(), k =>
        {
            Assert.Equal(0, k.GetProperty("real").GetInt32());
            Assert.False(k.TryGetProperty("value", out _));
            Assert.Contains("at least 2 images", k.GetProperty("note").GetString());
        });
    }

    [Fact]
    public void BadRequestsFailWithOneLine()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        cli.Ok("ingest", Atelier.TestSupport.Repo.EmojiSample, "--metadata", "emoji.json", "--license", "Apache-2.0", "--map", "tags:category=category");
        cli.Ok("rate", "all", "general");
        cli.Ok("dataset", "create", "faces", "--where", "tag:smileys_&_emotion");
        cli.Ok("dataset", "create", "tiny", "--where", "tag:component");
        cli.Ok("train", "--dataset", "faces", "--resolution", "32", "--kimg", "0.032", "--batch", "32", "--name", "r1", "--device", "cpu");

        void Refused(string expected, params string[] args)
        {
            var r = cli.Run(["eval", .. args]);
            Assert.Equal(1, r.Code);
            Assert.Single(r.Error.Trim().Split('\n'));
            Assert.StartsWith("atelier: ", r.Error);
            Assert.Contains(expected, r.Error);
        }
        Refused("no run named 'nope'", "--run", "nope");
        Refused("--n 3 is outside 6..10000", "--run", "r1", "--n", "3");
        Refused("--against: no dataset named 'missing'", "--run", "r1", "--against", "missing");
        Refused("dataset 'tiny' has 1 images; scoring needs at least 6", "--run", "r1", "--against", "tiny");
        Refused("no file", "--run", "r1", "--features", "onnx:nope.onnx");
        Refused("give it with --features onnx:PATH", "--run", "r1", "--size", "64");
        Refused("must be resnet18 or onnx:PATH", "--run", "r1", "--features", "inception");
        Refused("--checkpoint 'first' must be latest, best or a checkpoint id", "--run", "r1", "--checkpoint", "first");
        File.WriteAllText(Path.Combine(cli.Directory, "junk.onnx"), "not a model");
        Refused("is not an ONNX model", "--run", "r1", "--features", "onnx:junk.onnx");
        // Running a model is a reviewer's work, as sampling is; a viewer is refused before anything is computed.
        var viewer = cli.Ok("user", "add", "vic", "--role", "viewer", "--json").Json.GetProperty("token").GetString()!;
        Refused("vic (viewer) may not evaluate models: that needs the reviewer role", "--run", "r1", "--as", "vic", "--token", viewer);
    }
}
