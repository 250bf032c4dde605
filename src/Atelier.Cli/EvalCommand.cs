using System.CommandLine;
using System.Globalization;
using Atelier.Evaluation;
using Atelier.Evaluation.Features;
using Atelier.Evaluation.Metrics;

namespace Atelier.Cli;

/// <summary><c>eval</c>: a thin shell over Atelier.Evaluation.</summary>
public static class EvalCommand
{
    public static Command Create(CliContext c)
    {
        var run = new Option<string>("--run") { Description = "Run to score", Required = true };
        var checkpoint = new Option<string>("--checkpoint") { Description = "latest, best, or a checkpoint id (see `atelier runs show`)", DefaultValueFactory = _ => "latest" };
        var n = new Option<int?>("--n") { Description = "Generated images (default: as many as the snapshot holds, at most 10000)" };
        var seed = new Option<long>("--seed") { Description = "Seed of the generated images and of KID's subsets", DefaultValueFactory = _ => 0 };
        var against = new Option<string>("--against") { Description = "Score against this snapshot (e.g. held-out images) instead of the run's own" };
        var features = new FeatureOptions();
        var device = new Option<string>("--device") { Description = "Device the generator runs on: auto, cpu or cuda", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var command = new Command("eval", "Score a run's generator against a snapshot: FD on the feature network, KID, precision/recall, density/coverage, each with its sample counts")
        {
            run, checkpoint, n, seed, against, device,
        };
        features.AddTo(command);
        command.SetAction(parse => c.WithWorkspace(parse, ws => Metering.Metered(c, ws, "eval", meter =>
        {
            meter.Run = parse.GetValue(run);
            var network = features.Network(parse, c);
            var result = Evaluator.Run(ws, new EvaluationRequest(parse.GetValue(run)!, parse.GetValue(checkpoint)!, parse.GetValue(n), parse.GetValue(seed),
                parse.GetValue(against), network, parse.GetValue(device)!), c.Host.Cancellation);
            if (c.Json(parse)) c.WriteJson(result);
            else foreach (var line in Lines(result)) c.Host.Out.WriteLine(line);
            return 0;
        })));
        return command;
    }

    private static IEnumerable<string> Lines(EvaluationResult r)
    {
        string Counts(int generated, int real) => $"({generated} generated, {real} real)";
        yield return string.Create(CultureInfo.InvariantCulture,
            $"Run {r.Run}, checkpoint {r.CheckpointId} ({r.CheckpointImages / 1000.0:0.0} kimg), against dataset {r.Snapshot}{(r.RunsOwnSnapshot ? " (its training data)" : "")} at {r.Resolution}x{r.Resolution}; features {r.Features} ({r.FeatureDimension}-d){(r.ReferenceFromCache ? ", reference cached" : "")}");
        yield return string.Create(CultureInfo.InvariantCulture, $"  {r.DistanceName,-12} {r.FrechetDistance.Value,10:0.00}            {Counts(r.FrechetDistance.Generated, r.FrechetDistance.Real)}");
        // Subsets of every sample are all one set: a spread of 0 would say nothing, so none is shown.
        yield return r.Kid.SubsetSize == r.Kid.Generated && r.Kid.SubsetSize == r.Kid.Real
            ? string.Create(CultureInfo.InvariantCulture, $"  {"KID",-12} {r.Kid.Value,10:0.00000}            (one subset of every sample, {r.Kid.Generated} generated, {r.Kid.Real} real: no spread below {KernelInceptionDistance.DefaultSubsetSize + 1} a side)")
            : string.Create(CultureInfo.InvariantCulture, $"  {"KID",-12} {r.Kid.Value,10:0.00000} ± {r.Kid.StandardDeviation:0.00000}  ({r.Kid.Subsets} subsets of {r.Kid.SubsetSize}; {r.Kid.Generated} generated, {r.Kid.Real} real)");
        yield return string.Create(CultureInfo.InvariantCulture, $"  {"precision",-12} {r.Precision.Value,10:0.000}  recall {r.Recall.Value:0.000}   (k={r.PrecisionRecallK}; {r.Precision.Generated} generated, {r.Precision.Real} real)");
        yield return string.Create(CultureInfo.InvariantCulture, $"  {"density",-12} {r.Density.Value,10:0.000}  coverage {r.Coverage.Value:0.000} (k={r.DensityCoverageK}; {r.Density.Generated} generated, {r.Density.Real} real)");
        if (r.PerClass is { } perClass)
        {
            yield return $"  per '{perClass.Category}' class, {r.DistanceName}:{(perClass.Note is { } why ? $" none ({why})" : "")}";
            foreach (var k in perClass.Classes)
                yield return string.Create(CultureInfo.InvariantCulture,
                    $"    {k.Label,-24} {(k.Value is { } v ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-"),10}  {Counts(k.Generated, k.Real)}{(k.Note is { } note ? $" {note}" : "")}");
        }
        yield return string.Create(CultureInfo.InvariantCulture, $"  time         {r.Seconds.Total:0.0} s (generate {r.Seconds.Generate:0.0}, features {r.Seconds.Features:0.0}, metrics {r.Seconds.Metrics:0.0})");
    }
}
