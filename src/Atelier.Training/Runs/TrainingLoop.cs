using System.Diagnostics;
using Atelier.Catalog;
using Atelier.Training.Augmentation;
using Atelier.Training.Checkpoints;
using Atelier.Training.Data;
using Atelier.Training.Losses;
using Atelier.Training.Reporting;

namespace Atelier.Training.Runs;

/// <summary>
/// One run's training loop, from where its session stands to its length: a step at a time, a tick's statistics
/// gathered at each tick (not each step), and at a snapshot, an evaluation or a budget, the grid, the score and a
/// checkpoint. <see cref="Trainer"/> opens or resumes the run and hands it here.
/// </summary>
internal sealed class TrainingLoop : IDisposable
{
    private readonly RunRecord _run;
    private readonly RunFolder _folder;
    private readonly TrainingSession _session;
    private readonly TrainingOptions _options;
    private readonly TrainingHooks _hooks;
    private readonly IProgress<TrainingTick>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly Action<long>? _afterStep;
    private readonly Catalog.Catalog _catalog;
    private readonly MetricsLog _metrics;
    private readonly IGanLoss _loss;
    private readonly DiffAugment _augment;
    private readonly RunOutputs _outputs;
    private readonly StopRules _rules;
    private readonly EvaluationClock _evaluation = new();
    private readonly BatchStream _stream;
    private readonly Stopwatch _clock = new();

    private long _tickImages, _lastCheckpointImages, _warmImages = -1, _nextTick, _nextSnapshot;
    private double _tickStart, _warmStart, _lastStepEnd;
    private string? _latestGrid, _message;
    private SavedCheckpoint? _latestSaved;
    private string _status = RunStatus.Finished;

    public TrainingLoop(Workspace workspace, RunRecord run, RunFolder folder, TrainingSet data, TrainingSession session, TrainingHooks hooks,
        IProgress<TrainingTick>? progress, CancellationToken cancellation, Action<long>? afterStep)
    {
        (_run, _folder, _session, _hooks, _progress, _cancellation, _afterStep) = (run, folder, session, hooks, progress, cancellation, afterStep);
        _options = session.Options;
        _catalog = workspace.Catalog;
        _loss = GanLosses.For(_options.Model, new LossSettings(_options.R1Gamma, _options.R2Gamma, _options.RegularizationInterval));
        _augment = new DiffAugment(_options.AugmentPolicy);
        _metrics = new MetricsLog(folder.Root, tensorBoard: true, truncateAfterImages: session.Images);
        try
        {
            _outputs = new RunOutputs(_catalog, run, folder, session, data);
            _rules = new StopRules(_options, hooks.Scorer?.Key, session.Images, _metrics.ReadAll());
            _stream = new BatchStream(data, _options.Batch, _options.Seed, session.Steps, _options.Mirror);
        }
        catch
        {
            _outputs?.Dispose();
            _metrics.Dispose();
            throw;
        }
    }

    public TrainingResult Run()
    {
        _catalog.UpdateRun(_run.Id, RunStatus.Running, _session.Images);
        _clock.Start();
        _tickImages = _lastCheckpointImages = _session.Images;
        _nextTick = NextMultiple(_session.Images, (long)(_options.TickKimg * 1000));
        _nextSnapshot = NextMultiple(_session.Images, (long)(_options.SnapshotKimg * 1000));
        _latestSaved = _outputs.Checkpoints.Latest();
        try
        {
            while (_session.Images < _options.TotalImages)
            {
                if (_cancellation.IsCancellationRequested) { _status = RunStatus.Stopped; _message = "interrupted"; break; }
                Accumulate(Trainer.Step(_session, _stream, _loss, _augment));
                bool end = _session.Images >= _options.TotalImages;
                if (!(end || _session.Images >= _nextTick || _session.Images >= _nextSnapshot || _session.Images >= _rules.NextEval)) continue;
                Tick(end);
                // An early stop or a budget ends the run here, its checkpoint just written.
                if (_message is not null) break;
            }
            if (_status == RunStatus.Stopped && _session.Images > _lastCheckpointImages)
            {
                // Ctrl-C: keep what was trained, then stop cleanly (unscored when evaluations choose the best).
                double pixel = _outputs.Snapshot(_session, out _latestGrid);
                _latestSaved = _outputs.Save(_session, _rules.Evaluates ? null : pixel);
            }
        }
        catch (Exception e)
        {
            Trainer.MarkFailed(_catalog, _run.Id, _latestSaved?.ImagesSeen ?? 0, e);
            throw;
        }
        _catalog.UpdateRun(_run.Id, _status, _session.Images, _message);
        return Result();
    }

    /// <summary>Adds one step's values to the tick's sums; a value that is not finite stops the run, naming the last good checkpoint.</summary>
    private void Accumulate(Dictionary<string, double> parts)
    {
        foreach (var (k, v) in parts)
        {
            if (!double.IsFinite(v))
                throw new TrainingException("non-finite-loss",
                    $"{k} became {v} at {_session.Images / 1000.0:0.000} kimg; training stopped; the last good checkpoint is " +
                    (_latestSaved is null ? "none" : $"{Path.GetFileName(_latestSaved.Path)} ({_latestSaved.ImagesSeen / 1000.0:0.000} kimg)"));
            _session.TickSums[k] = _session.TickSums.GetValueOrDefault(k) + v;
        }
        _session.TickSteps++;
        _lastStepEnd = _clock.Elapsed.TotalSeconds;
        if (_session.Steps == 5) { _warmImages = _session.Images; _warmStart = _lastStepEnd; }
        _afterStep?.Invoke(_session.Images);
    }

    /// <summary>A tick: its statistics logged and reported; at a snapshot, an evaluation, a budget or the end, also the grid, the score and a checkpoint.</summary>
    private void Tick(bool end)
    {
        double now = _clock.Elapsed.TotalSeconds, ips = (_session.Images - _tickImages) / Math.Max(1e-9, now - _tickStart);
        var values = TickValues(ips);
        string? budget = null;
        if (_hooks.Spend is { } probe)
        {
            var spend = probe();
            values["time/run_seconds"] = spend.RunSeconds;
            values["cost/kwh"] = spend.Kwh;
            values["cost/money"] = spend.Money;
            values["cost/co2_g"] = spend.Co2Grams;
            budget = _rules.BudgetReached(spend);
        }
        bool evaluate = _rules.EvalDue(_session.Images);
        if (end || evaluate || budget is not null || _session.Images >= _nextSnapshot) Checkpoint(values, evaluate, budget);
        else _metrics.Write(_session.Images, values);
        _progress?.Report(new TrainingTick(_session.Images, _options.TotalImages, ips, 1000 / Math.Max(1e-9, ips), _session.AugmentP, values,
            TimeSpan.FromSeconds((_options.TotalImages - _session.Images) / Math.Max(1e-9, ips))));
        _tickImages = _session.Images;
        _tickStart = _clock.Elapsed.TotalSeconds;
        _nextTick = NextMultiple(_session.Images, (long)(_options.TickKimg * 1000));
    }

    private void Checkpoint(Dictionary<string, double> values, bool evaluate, string? budget)
    {
        double pixel = _outputs.Snapshot(_session, out _latestGrid);
        values["score/pixel_fd"] = pixel;
        double? score = _rules.Evaluates ? null : pixel;
        if (evaluate)
        {
            score = _evaluation.Score(_hooks.Scorer!, _session, _cancellation);
            values[_hooks.Scorer!.Key] = score.Value;
            values["eval/samples"] = _hooks.Scorer.Generated;
            values["eval/seconds"] = _evaluation.LastSeconds;
            _message = _rules.AfterEvaluation(score.Value, _session.Images);
        }
        _message ??= budget;
        _metrics.Write(_session.Images, values);
        _latestSaved = _outputs.Save(_session, score);
        _lastCheckpointImages = _session.Images;
        LossPlot.Save(_folder.LossPlot, _metrics.ReadAll(), LossKeys(values));
        _catalog.UpdateRun(_run.Id, RunStatus.Running, _session.Images);
        _nextSnapshot = NextMultiple(_session.Images, (long)(_options.SnapshotKimg * 1000));
    }

    /// <summary>The tick's averages of the per-step values and the run's state, and starts the next tick's sums.</summary>
    private Dictionary<string, double> TickValues(double ips)
    {
        var values = _session.TickSums.ToDictionary(kv => kv.Key, kv => kv.Value / _session.TickSteps);
        // This tick is logged now: a checkpoint written below must not carry its sums into the next.
        _session.TickSums.Clear();
        _session.TickSteps = 0;
        values["augment/p"] = _session.AugmentP;
        if (_session.Adaptive is { } ada) values["augment/rt"] = ada.LastRt;
        values["speed/img_per_sec"] = ips;
        values["speed/sec_per_kimg"] = 1000 / Math.Max(1e-9, ips);
        values["memory/rss_mib"] = Environment.WorkingSet / 1048576.0;
        return values;
    }

    private TrainingResult Result()
    {
        double seconds = _clock.Elapsed.TotalSeconds;
        // Steady speed: from the fifth step to the end of the last one (snapshots on the way included, the
        // one-off final snapshot and the start-up not), so short and long runs report comparable figures.
        double steady = _warmImages >= 0 && _session.Images > _warmImages && _lastStepEnd > _warmStart
            ? (_session.Images - _warmImages) / (_lastStepEnd - _warmStart)
            : _session.Images / Math.Max(1e-9, seconds);
        var scores = _rules.Evaluates && _rules.Best is { } best
            ? new EvaluationSummary(_hooks.Scorer!.Key, _hooks.Scorer.Name, _rules.Last!.Value, best, _rules.BestImages, _rules.Evaluations,
                _hooks.Scorer.Generated, _hooks.Scorer.Real, _evaluation.Seconds, _evaluation.Count)
            : null;
        return new TrainingResult(_run.Name, _status, _session.Images, seconds, steady, 1000 / Math.Max(1e-9, steady), Trainer.PeakRss(),
            _latestSaved?.Path, _latestGrid, File.Exists(_folder.LossPlot) ? _folder.LossPlot : null, _session.Device.type.ToString().ToLowerInvariant(),
            _message, scores, _outputs.Checkpoints.Best()?.Path);
    }

    private static IEnumerable<string> LossKeys(IReadOnlyDictionary<string, double> values) =>
        values.Keys.Where(k => k.StartsWith("loss/", StringComparison.Ordinal) || k.StartsWith("penalty/", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    private static long NextMultiple(long value, long step) => step <= 0 ? long.MaxValue : (value / step + 1) * step;

    public void Dispose()
    {
        _stream.Dispose();
        _outputs.Dispose();
        _metrics.Dispose();
    }

    /// <summary>Scores G_ema (in eval mode, as sampled) and keeps the time it took.</summary>
    private sealed class EvaluationClock
    {
        public double Seconds { get; private set; }
        public double LastSeconds { get; private set; }
        public int Count { get; private set; }

        public double Score(IGeneratorScorer scorer, TrainingSession s, CancellationToken cancellation)
        {
            var watch = Stopwatch.StartNew();
            s.GEma.eval();
            try
            {
                return scorer.Score(s.GEma, s.Labels, s.Options.Resolution, s.Device, cancellation);
            }
            finally
            {
                s.GEma.train();
                LastSeconds = watch.Elapsed.TotalSeconds;
                Seconds += LastSeconds;
                Count++;
            }
        }
    }
}
