using System.CommandLine;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Cost;
using Atelier.Provenance.Credentials;
using Atelier.Provenance.Sampling;
using Atelier.Provenance.Watermarking;
using Atelier.Training.Networks;
using Atelier.Training.Runs;

namespace Atelier.Cli;

/// <summary><c>train</c>, <c>sample</c>, <c>export-model</c> and <c>runs</c>: thin shells over Atelier.Training.</summary>
public static class TrainingCommands
{
    public static Command Train(CliContext c)
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset (snapshot) to train on" };
        var model = new Option<string>("--model") { Description = "dcgan (Radford et al. baseline) or modern (R3GAN-style, see docs/decisions)", DefaultValueFactory = _ => "dcgan" };
        model.AcceptOnlyFromAmong("dcgan", "modern");
        var resolution = new Option<int>("--resolution") { Description = "Image size: 32, 64, 128 or 256", DefaultValueFactory = _ => 64 };
        var kimg = new Option<double?>("--kimg") { Description = "Length of the run in thousands of real images shown to D (default 10)" };
        var batch = new Option<int?>("--batch") { Description = "Batch size (dcgan 64, modern 32)" };
        var cond = new Option<string>("--cond") { Description = "Conditioning: none, multi (multi-hot over all tags) or a tag CATEGORY whose tags are the classes", DefaultValueFactory = _ => "none" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of weights, data order, noise and augmentation", DefaultValueFactory = _ => 1 };
        var name = new Option<string>("--name") { Description = "Run name (default: DATASET-MODEL-RESOLUTION-N)" };
        var resume = new Option<string>("--resume") { Description = "Continue the named run exactly from its latest checkpoint (with --kimg: to a new length)" };
        var augment = new Option<string>("--augment") { Description = "ada (adaptive DiffAugment, target r_t 0.6), none, or a fixed probability (dcgan none, modern ada)" };
        var mirror = new Option<bool?>("--mirror") { Description = "Random x-flips of the real images (modern: on)" };
        var ema = new Option<double?>("--ema") { Description = "Half-life of the generator average in kimg, 0 for none (dcgan 0, modern 10)" };
        var gamma = new Option<double?>("--gamma") { Description = "R1 and R2 penalty weight (modern only; default 2, applied every 16th D step)" };
        var lr = new Option<double?>("--lr") { Description = "Adam learning rate of G and D (default 2e-4)" };
        var schedule = new Option<string>("--schedule") { Description = "constant, or cosine: R3GAN's decays (learning rate to 1/4, penalty weight to 1/10, Adam beta2 from 0.9 up) over --schedule-kimg (dcgan constant, modern cosine)" };
        schedule.AcceptOnlyFromAmong(TrainingSchedule.Constant, TrainingSchedule.Cosine);
        var scheduleKimg = new Option<double?>("--schedule-kimg") { Description = "Length of the cosine schedule in kimg (default: the run's --kimg; kept when a resumed run is made longer)" };
        var snapshotKimg = new Option<double?>("--snapshot-kimg") { Description = "Checkpoint, sample grid and loss plot every N kimg, and at the end (dcgan 10, modern 2)" };
        var tickKimg = new Option<double?>("--tick-kimg") { Description = "Progress line and metrics row every N kimg (default 0.25)" };
        var keep = new Option<int?>("--keep") { Description = "Checkpoints kept besides the best (default 3)" };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda", DefaultValueFactory = _ => "auto" };
        device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
        var initFrom = new Option<string>("--init-from") { Description = "RUN[:CHECKPOINT] (latest, best or an id; default latest): start G, D and G_ema from that run's checkpoint (transfer; same model, resolution and label dimension)" };
        var freezeD = new Option<int?>("--freeze-d") { Description = "With --init-from: keep D's first N blocks (from the image side, one per resolution) as the earlier run left them (FreezeD, Mo et al. 2020; StyleGAN2-ADA's --freezed); default 0" };
        var evalEvery = new Option<double?>("--eval-every") { Description = "Score G_ema (FD-ResNet18) every KIMG and at the end, with a checkpoint each time; best is chosen by that score" };
        var evalSamples = new Option<int?>("--eval-samples") { Description = $"Generated images per evaluation (default: the snapshot's size, at most {TrainingOptions.DefaultEvalSamples})" };
        var earlyStop = new Option<int?>("--early-stop") { Description = "Stop when the score has not improved for PATIENCE evaluations (needs --eval-every)" };
        var budgetMoney = new Option<double?>("--budget-money") { Description = "Stop at this much money spent by the run, all sessions, in the workspace's currency (cost.currency)" };
        var budgetUsd = new Option<double?>("--budget-usd") { Description = "--budget-money where the workspace prices in USD (refused otherwise)" };
        var budgetKwh = new Option<double?>("--budget-kwh") { Description = "Stop at this much energy used by the run, all sessions" };
        var budgetHours = new Option<double?>("--budget-hours") { Description = "Stop at this much wall time of the run, all sessions" };
        var command = new Command("train", "Train a GAN on a dataset snapshot; checkpoints, sample grids, metrics (JSONL, TensorBoard) and a loss plot go to .atelier/runs/NAME")
        {
            dataset, model, resolution, kimg, batch, cond, seed, name, resume, augment, mirror, ema, gamma, lr, schedule, scheduleKimg, snapshotKimg, tickKimg, keep, device,
            evalEvery, evalSamples, earlyStop, budgetMoney, budgetUsd, budgetKwh, budgetHours, initFrom, freezeD,
        };
        command.SetAction(parse => c.WithWorkspace(parse, ws => PolicyCommands.Gated(c, parse, () => Metering.Metered(c, ws, "train", meter =>
        {
            var progress = new ProgressLine(c.Host, enabled: !c.Json(parse) || c.Host.LogProgress);
            TrainingResult result;
            var money = TrainingSpend.Money(ws, parse.GetValue(budgetMoney), parse.GetValue(budgetUsd));
            if (parse.GetValue(resume) is { } resumeName)
            {
                if (parse.GetValue(initFrom) is not null)
                    throw new AtelierException("usage", "--init-from starts a new run; a resumed run continues from its own checkpoint (give one of --resume and --init-from)");
                if (parse.GetValue(freezeD) is not null)
                    throw new AtelierException("usage", "--freeze-d is fixed when a run starts; a resumed run keeps its own");
                meter.Run = resumeName;
                if (parse.GetValue(evalEvery) is not null || parse.GetValue(evalSamples) is not null)
                    throw new AtelierException("usage", "--eval-every and --eval-samples are fixed when a run starts; a resumed run keeps its own");
                var stored = ws.Catalog.GetRun(resumeName) is { } existing ? TrainingOptions.FromJson(existing.Config) : null;
                using var scorer = stored is { EvalEveryKimg: > 0 } ? new Atelier.Evaluation.TrainingScorer(ws, stored.Dataset, stored.EvalSamples) : null;
                result = Trainer.Resume(ws, resumeName, parse.GetValue(kimg), progress, c.Host.Cancellation,
                    new TrainingHooks(scorer, TrainingSpend.Probe(meter, resumeName)),
                    new RunLimitChanges(parse.GetValue(earlyStop), money, parse.GetValue(budgetKwh), parse.GetValue(budgetHours)));
            }
            else
            {
                var datasetName = parse.GetValue(dataset) ?? throw new AtelierException("usage", "say which dataset to train on with --dataset NAME (or continue a run with --resume RUN)");
                var kind = parse.GetValue(model) == "modern" ? ModelKind.Modern : ModelKind.Dcgan;
                var r = parse.GetValue(resolution);
                result = StartRun(parse.GetValue(name), attemptName =>
                {
                    var runName = attemptName ?? DefaultRunName(ws, datasetName, kind, r);
                    // From its first tick the run is this process's: a run that then fails (NaN, an error) still has its energy counted.
                    progress.OnTick = () => meter.Run ??= runName;
                    var defaults = TrainingOptions.Defaults(kind, datasetName, runName);
                    var options = defaults with
                    {
                        Resolution = r,
                        Kimg = parse.GetValue(kimg) ?? defaults.Kimg,
                        Batch = parse.GetValue(batch) ?? defaults.Batch,
                        Conditioning = parse.GetValue(cond)!,
                        Seed = parse.GetValue(seed),
                        Augment = parse.GetValue(augment) ?? defaults.Augment,
                        Mirror = parse.GetValue(mirror) ?? defaults.Mirror,
                        EmaKimg = parse.GetValue(ema) ?? defaults.EmaKimg,
                        R1Gamma = parse.GetValue(gamma) ?? defaults.R1Gamma,
                        R2Gamma = parse.GetValue(gamma) ?? defaults.R2Gamma,
                        LearningRateG = parse.GetValue(lr) ?? defaults.LearningRateG,
                        LearningRateD = parse.GetValue(lr) ?? defaults.LearningRateD,
                        Schedule = parse.GetValue(schedule) ?? defaults.Schedule,
                        ScheduleKimg = parse.GetValue(scheduleKimg) ?? defaults.ScheduleKimg,
                        SnapshotKimg = parse.GetValue(snapshotKimg) ?? defaults.SnapshotKimg,
                        TickKimg = parse.GetValue(tickKimg) ?? defaults.TickKimg,
                        KeepCheckpoints = parse.GetValue(keep) ?? defaults.KeepCheckpoints,
                        Device = parse.GetValue(device)!,
                        InitFrom = parse.GetValue(initFrom) is { } source ? InitSource.Parse(source) : null,
                        FreezeD = parse.GetValue(freezeD) ?? 0,
                        EvalEveryKimg = parse.GetValue(evalEvery) ?? 0,
                        EvalSamples = parse.GetValue(evalSamples) ?? 0,
                        EarlyStopPatience = parse.GetValue(earlyStop) ?? 0,
                        BudgetMoney = money,
                        BudgetKwh = parse.GetValue(budgetKwh),
                        BudgetHours = parse.GetValue(budgetHours),
                    };
                    // Refused before the scorer reads a feature network and the snapshot's features.
                    options.ValidateLimits();
                    if (options.EvalSamples != 0 && options.EvalEveryKimg == 0)
                        throw new AtelierException("usage", "--eval-samples says how many images each evaluation draws: it needs --eval-every KIMG");
                    using var scorer = options.EvalEveryKimg > 0 ? new Atelier.Evaluation.TrainingScorer(ws, datasetName, options.EvalSamples) : null;
                    return Trainer.Start(ws, options, progress, c.Host.Cancellation, new TrainingHooks(scorer, TrainingSpend.Probe(meter, runName)));
                });
            }
            progress.Finish();
            meter.Run = result.Run;
            var (reading, figures) = meter.Finish(result.Status == RunStatus.Stopped ? 130 : 0);
            var total = RunEnergy.Training(ws.Catalog.ListEnergy(ws.Catalog.GetRun(result.Run)!.Id));
            if (c.Json(parse))
            {
                var json = System.Text.Json.JsonSerializer.SerializeToNode(result, CliContext.JsonOptions)!.AsObject();
                json["cost"] = System.Text.Json.JsonSerializer.SerializeToNode(new { thisSession = RunEnergy.View(reading, figures), run = total }, CliContext.JsonOptions);
                c.WriteJson(json);
            }
            else
            {
                c.Host.Out.WriteLine($"Run {result.Run} {result.Status} at {result.Images / 1000.0:0.00} kimg on {result.Device}: {result.ImagesPerSecond:0.0} img/s, {result.SecondsPerKimg:0.0} s/kimg, peak memory {result.PeakRssBytes / 1048576.0:0} MiB");
                var started = TrainingOptions.FromJson(ws.Catalog.GetRun(result.Run)!.Config);
                if (started.InitFrom is { } init)
                    c.Host.Out.WriteLine($"  init from    run {init.Run}, checkpoint {init.CheckpointId} ({init.ImagesSeen / 1000.0:0.00} kimg){Frozen(started)}");
                if (result.LatestGrid is { } g) c.Host.Out.WriteLine($"  sample grid  {g}");
                if (result.LossPlot is { } p) c.Host.Out.WriteLine($"  loss plot    {p}");
                if (result.LatestCheckpoint is { } k) c.Host.Out.WriteLine($"  checkpoint   {k}");
                if (result.Evaluation is { } e)
                {
                    c.Host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  score        {e.Name} {e.Last:0.###} at {result.Images / 1000.0:0.0##} kimg, best {e.Best:0.###} at {e.BestImages / 1000.0:0.0##} kimg ({e.Generated} generated, {e.Real} real; {e.Evaluations} evaluation{(e.Evaluations == 1 ? "" : "s")}, {e.SessionSeconds:0.0} s of this session's {result.Seconds:0.0} s evaluating)"));
                    if (result.BestCheckpoint is { } b) c.Host.Out.WriteLine($"  best         {b}");
                }
                if (result.Message is { } why && result.Status != RunStatus.Stopped) c.Host.Out.WriteLine($"  stopped      {why}");
                c.Host.Out.WriteLine($"  cost         {Metering.CostLine(reading, figures)}");
                if (total.Sessions > 1) c.Host.Out.WriteLine($"  run total    {RunEnergy.Describe(total)}");
            }
            if (result.Status != RunStatus.Stopped) return 0;
            c.Host.Error.WriteLine($"atelier: interrupted; a checkpoint was written, continue with `atelier train --resume {result.Run}`");
            return 130;
        }))));
        return command;
    }

    public static Command Sample(CliContext c)
    {
        var run = new Option<string>("--run") { Description = "Run to sample from", Required = true };
        var checkpoint = new Option<string>("--checkpoint") { Description = "latest, best, or a checkpoint id (see `atelier runs show`)", DefaultValueFactory = _ => "latest" };
        var n = new Option<int>("--n") { Description = "Number of images", DefaultValueFactory = _ => 16 };
        var seed = new Option<long>("--seed") { Description = "Seed: sample i of seed S is always the same image", DefaultValueFactory = _ => 0 };
        var tags = new Option<string[]>("--tags") { Description = "Labels to condition on (conditioned runs): one class, or several tags for multi-label runs", AllowMultipleArgumentsPerToken = true };
        var outDir = new Option<string>("--out") { Description = "Output folder", Required = true };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda", DefaultValueFactory = _ => "auto" };
        var format = new Option<string>("--format") { Description = "File format of the samples: png or jpeg", DefaultValueFactory = _ => "png" };
        format.AcceptOnlyFromAmong("png", "jpeg");
        var command = new Command("sample",
            "Generate images from a run's generator average; candidates too close to a training image are withheld (the policy's memorization thresholds); " +
            "each sample carries an invisible watermark, XMP and a signed C2PA manifest, and is recorded with its run, checkpoint, seed, labels, format and mark payload")
        {
            run, checkpoint, n, seed, tags, outDir, device, format,
        };
        command.SetAction(parse => c.WithWorkspace(parse, ws => Metering.Metered(c, ws, "sample", meter =>
        {
            meter.Run = parse.GetValue(run);
            var tagList = (parse.GetValue(tags) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            // Every sample is marked and signed: without a signing identity nothing is drawn (a one-line reason names the command to run).
            using var signer = SigningIdentity.Load(ws);
            var steps = new SamplingSteps(WorkspaceWatermark.For(ws), new SampleCredentials(signer));
            var result = MarkedSampling.Run(ws, new MarkedSampleRequest(parse.GetValue(run)!, parse.GetValue(checkpoint)!, parse.GetValue(n), parse.GetValue(seed),
                tagList, Path.GetFullPath(parse.GetValue(outDir)!, c.Host.CurrentDirectory), SampleFormats.Parse(parse.GetValue(format)!), parse.GetValue(device)!),
                steps, c.Host.Cancellation);
            if (c.Json(parse)) c.WriteJson(result);
            else
            {
                c.Host.Out.WriteLine($"Wrote {result.Samples.Count} samples ({result.Format}, {result.Side} px) of run {result.Run} (checkpoint {result.CheckpointId}, {result.CheckpointImages / 1000.0:0.0} kimg, seed {result.Seed}) to {parse.GetValue(outDir)}");
                if (result.Side != result.Resolution)
                    c.Host.Out.WriteLine($"  upscaled    from the generator's {result.Resolution} px to {result.Side}, the smallest side at which the watermark survives re-encoding");
                c.Host.Out.WriteLine($"  marked      {result.Watermark}");
                c.Host.Out.WriteLine($"  credentials {result.Credentials}; check with `atelier verify FILE`");
                c.Host.Out.WriteLine(WithheldLine(result));
            }
            return 0;
        })));
        return command;
    }

    /// <summary>How many candidates the memorization check withheld and why, in one line.</summary>
    internal static string WithheldLine(MarkedSamplingResult result)
    {
        var t = result.Check.Thresholds;
        string against = string.Create(CultureInfo.InvariantCulture,
            $"{result.Check.TrainingImages} images of snapshot {result.Check.Snapshot}; thresholds PDQ {t.PdqDistance}, {result.Check.Features} {t.FeatureDistance:0.###}, pixels {t.PixelDistance:0.##}");
        if (result.Withheld.Count == 0) return $"Withheld 0 (memorization check against {against})";
        var why = string.Join(", ", result.Check.WithheldBy.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} by {kv.Key}"));
        return $"Withheld {result.Withheld.Count} of {result.Samples.Count + result.Withheld.Count} as too close to a training image ({why}; against {against}); recorded, see `atelier runs show {result.Run}`";
    }

    public static Command ExportModel(CliContext c)
    {
        var run = new Argument<string>("RUN") { Description = "Run whose generator to export" };
        var format = new Option<string>("--format") { Description = "pytorch (state_dict for torch.load) or safetensors", DefaultValueFactory = _ => "safetensors" };
        format.AcceptOnlyFromAmong("pytorch", "safetensors");
        var checkpoint = new Option<string>("--checkpoint") { Description = "latest, best, or a checkpoint id", DefaultValueFactory = _ => "latest" };
        var output = new Option<string>("--out") { Description = "Output file (default: RUN-KIMG-G_ema.pt|.safetensors in the current folder)" };
        var command = new Command("export-model", "Write a run's generator average for Python users, with a JSON descriptor") { run, format, checkpoint, output };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var fmt = parse.GetValue(format) == "pytorch" ? ModelFormat.PyTorch : ModelFormat.Safetensors;
            var path = Path.GetFullPath(parse.GetValue(output) ?? $"{parse.GetValue(run)}-G_ema{(fmt == ModelFormat.PyTorch ? ".pt" : ".safetensors")}", c.Host.CurrentDirectory);
            var result = ModelExport.Run(ws, parse.GetValue(run)!, parse.GetValue(checkpoint)!, fmt, path);
            if (c.Json(parse)) c.WriteJson(result);
            else c.Host.Out.WriteLine($"Exported the generator of {parse.GetValue(run)} ({result.CheckpointImages / 1000.0:0.0} kimg) to {result.Path}, descriptor {result.DescriptorPath}");
            return 0;
        }));
        return command;
    }

    public static Command Runs(CliContext c)
    {
        var runs = new Command("runs", "Training runs and their checkpoints");
        var list = new Command("list", "All runs");
        list.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var all = ws.Catalog.ListRuns();
            if (c.Json(parse)) c.WriteJson(new { runs = all.Select(r => RunView(ws, r, withCheckpoints: false)) });
            else foreach (var r in all) c.Host.Out.WriteLine($"{r.Name,-28} {r.Model,-7} {r.Status,-9} {r.ImagesSeen / 1000.0,8:0.00} kimg  snapshot {r.SnapshotRoot[..12]}  {r.UpdatedAt:u}");
            return 0;
        }));
        var name = new Argument<string>("RUN");
        var show = new Command("show", "A run's configuration, lineage and checkpoints") { name };
        show.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var run = ws.Catalog.GetRun(parse.GetValue(name)!) ?? throw new AtelierException("unknown-run", $"no run named '{parse.GetValue(name)}' (see `atelier runs list`)");
            var view = RunView(ws, run, withCheckpoints: true);
            if (c.Json(parse)) { c.WriteJson(view); return 0; }
            c.Host.Out.WriteLine($"run {run.Name}: {run.Model}, {run.Status}, {run.ImagesSeen / 1000.0:0.00} kimg{(run.Message is null ? "" : $" ({run.Message})")}");
            c.Host.Out.WriteLine($"  dataset     {view.Dataset} (snapshot root {run.SnapshotRoot})");
            if (view.InitFrom is { } init)
                c.Host.Out.WriteLine($"  init from   run {init.Run}, checkpoint {init.CheckpointId} ({init.ImagesSeen / 1000.0:0.00} kimg, sha256 {init.Sha256?[..16]}){Frozen(TrainingOptions.FromJson(run.Config))}{(init.Tainted ? "  TAINTED" : "")}");
            c.Host.Out.WriteLine($"  software    {run.Software}");
            c.Host.Out.WriteLine($"  folder      {view.Folder}");
            foreach (var k in view.Checkpoints!)
                c.Host.Out.WriteLine($"  checkpoint {k.Id,4}  {k.ImagesSeen / 1000.0,8:0.00} kimg  sha256 {k.Sha256[..16]}  score {k.Score?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-"}{(k.Deleted ? "  (pruned)" : "")}");
            c.Host.Out.WriteLine($"  samples     {view.Samples} written, {view.Withheld!.Count} withheld by the memorization check");
            foreach (var w in view.Withheld!)
                c.Host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  withheld    checkpoint {w.CheckpointId} seed {w.Seed} #{w.Index}: {w.Reason} (PDQ {w.PdqDistance?.ToString(CultureInfo.InvariantCulture) ?? "-"} to image {w.PdqImageId?.ToString(CultureInfo.InvariantCulture) ?? "-"}, features {w.FeatureDistance:0.####} to image {w.FeatureImageId}, pixels {w.PixelDistance:0.##} to image {w.PixelImageId})"));
            var energy = view.Energy!;
            c.Host.Out.WriteLine(energy.Training.Sessions == 0 ? "  energy      none recorded (trained before Atelier recorded energy, or the records could not be written)" : $"  energy      {RunEnergy.Describe(energy.Training)}");
            foreach (var e in energy.Invocations)
                c.Host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {e.Stage,-7} {e.StartedAt:u}  {e.WallSeconds,8:0.0} s  {e.Kwh:0.000000} kWh  {e.Currency} {e.Money:0.0000}  {e.Co2Grams:0.000} g CO2e  {e.CpuMethod}{(e.CpuMethod == EnergyMethods.Estimate ? $" ({e.CpuNote})" : "")}{(e.GpuJoules is { } g ? $"  GPU {e.Gpus}× {g / 3.6e6:0.000000} kWh" : "")}"));
            return 0;
        }));
        runs.Subcommands.Add(list);
        runs.Subcommands.Add(show);
        return runs;
    }

    private sealed record RunDetails(string Name, string Dataset, string SnapshotRoot, string Model, string Status, long ImagesSeen, string? Message,
        string Software, string Folder, System.Text.Json.JsonElement Config, IReadOnlyList<CheckpointRecord>? Checkpoints, int Samples, RunEnergy.Summary? Energy,
        InitView? InitFrom = null, IReadOnlyList<WithheldSampleRecord>? Withheld = null);

    private static string Frozen(TrainingOptions o) => o.FreezeD == 0 ? "" : $", D's first {o.FreezeD} block{(o.FreezeD == 1 ? "" : "s")} frozen";

    /// <summary>The checkpoint a run's weights started from (--init-from), as the catalog recorded it.</summary>
    private sealed record InitView(string? Run, long CheckpointId, long? ImagesSeen, string? Sha256, bool Tainted);

    private static RunDetails RunView(Workspace ws, RunRecord r, bool withCheckpoints)
    {
        var options = TrainingOptions.FromJson(r.Config);
        using var config = System.Text.Json.JsonDocument.Parse(r.Config);
        var init = r.InitCheckpointId is { } id && ws.Catalog.GetCheckpoint(id) is { } source
            ? new InitView(ws.Catalog.GetRun(source.RunId)?.Name, id, source.ImagesSeen, source.Sha256, ws.Catalog.TaintsOf(TaintKind.Checkpoint, id).Count > 0)
            : null;
        return new RunDetails(r.Name, options.Dataset, r.SnapshotRoot, r.Model, r.Status, r.ImagesSeen, r.Message, r.Software,
            new RunFolder(ws, r.Name).Root, config.RootElement.Clone(), withCheckpoints ? ws.Catalog.ListCheckpoints(r.Id) : null, ws.Catalog.ListSamples(r.Id).Count,
            withCheckpoints ? RunEnergy.Of(ws.Catalog.ListEnergy(r.Id)) : null, init, withCheckpoints ? ws.Catalog.ListWithheldSamples(r.Id) : null);
    }

    /// <summary>
    /// Starts a run. A name the user gave is theirs: if another process took it first, the refusal
    /// stands. A default name that another process claimed between choosing and starting is simply
    /// chosen again (the next free number).
    /// </summary>
    private static TrainingResult StartRun(string? givenName, Func<string?, TrainingResult> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return start(givenName);
            }
            catch (AtelierException e) when (e.Code == "run-exists" && givenName is null && attempt < 20)
            {
            }
        }
    }

    private static string DefaultRunName(Workspace ws, string dataset, ModelKind kind, int resolution)
    {
        var stem = $"{new string(dataset.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' ? ch : '-').ToArray())}-{kind.ToString().ToLowerInvariant()}-{resolution}";
        for (int i = 1; ; i++)
            if (ws.Catalog.GetRun($"{stem}-{i}") is null) return $"{stem}-{i}";
    }

    /// <summary>The live progress line on stderr: rewritten in place on a terminal, one line per tick otherwise.</summary>
    private sealed class ProgressLine(CliHost host, bool enabled) : IProgress<TrainingTick>
    {
        private int _width;

        public Action? OnTick { get; set; }

        public void Report(TrainingTick t)
        {
            OnTick?.Invoke();
            if (!enabled) return;
            var losses = string.Join("  ", t.Values.Where(kv => kv.Key.StartsWith("loss/", StringComparison.Ordinal)).OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key[5..]} {kv.Value:0.000}")));
            var line = string.Create(CultureInfo.InvariantCulture,
                $"kimg {t.Kimg:0.00}/{t.TotalImages / 1000.0:0.00}  {t.ImagesPerSecond:0.0} img/s  {t.SecondsPerKimg:0.0} s/kimg  {losses}  aug p {t.AugmentP:0.000}  ETA {t.Eta:hh\\:mm\\:ss}");
            if (host.Interactive)
            {
                host.Error.Write("\r" + line.PadRight(_width));
                _width = line.Length;
            }
            else host.Error.WriteLine(line);
        }

        public void Finish()
        {
            if (enabled && host.Interactive && _width > 0) host.Error.WriteLine();
        }
    }
}
