using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance.Jobs;

namespace Atelier.Studio.Jobs;

/// <summary>
/// The one place a job asked for in the studio is turned into CLI arguments: each field is checked and written back in the
/// CLI's own form, so a field can never become another option. The CLI then checks the values as it checks its own.
/// </summary>
public static class JobForms
{
    /// <summary>At most this many of a run's samples are verified in one job.</summary>
    public const int MaxVerified = 200;

    public sealed record Asked(JobKind Kind, IReadOnlyList<string> Args, string? Run);

    public static Asked Build(IReadOnlyDictionary<string, string> fields, Catalog.Catalog catalog)
    {
        var kind = JobKind.Parse(Field(fields, "kind") ?? "");
        var f = new Fields(fields);
        if (kind == JobKind.Train)
        {
            var dataset = f.Name("dataset", required: true)!;
            var model = f.OneOf("model", ["dcgan", "modern"], "dcgan");
            var resolution = f.Int("resolution", 32, 256) ?? 64;
            var run = f.Name("name") ?? $"{dataset}-{model}-{resolution}-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
            List<string> args = ["train", "--dataset", dataset, "--model", model, "--resolution", Text(resolution), "--name", run,
                "--device", f.OneOf("device", ["auto", "cpu", "cuda"], "auto")];
            f.AddNumber(args, "kimg", "--kimg", 0.001, 1_000_000);
            f.AddInt(args, "batch", "--batch", 1, 4096);
            f.AddNumber(args, "snapshotKimg", "--snapshot-kimg", 0.001, 1_000_000);
            f.AddNumber(args, "tickKimg", "--tick-kimg", 0.001, 1_000_000);
            f.AddNumber(args, "budgetHours", "--budget-hours", 0.001, 100_000);
            f.AddNumber(args, "budgetMoney", "--budget-money", 0.001, 1e9);
            return new Asked(kind, args, run);
        }
        if (kind == JobKind.Resume)
        {
            var run = f.Run(catalog);
            List<string> args = ["train", "--resume", run];
            f.AddNumber(args, "kimg", "--kimg", 0.001, 1_000_000);
            return new Asked(kind, args, run);
        }
        if (kind == JobKind.Sample)
        {
            var run = f.Run(catalog);
            return new Asked(kind, ["sample", "--run", run, "--n", Text(f.Int("n", 1, 64) ?? 16), "--seed", Text(f.Long("seed", 0, long.MaxValue) ?? 0),
                "--checkpoint", f.Checkpoint(), "--out", Workspace.JobFiles.Samples], run);
        }
        if (kind == JobKind.Verify)
        {
            var run = f.Run(catalog);
            var samples = catalog.ListSamples(catalog.GetRun(run)!.Id).TakeLast(MaxVerified).Select(s => s.Path).ToList();
            if (samples.Count == 0) throw new AtelierException("no-samples", $"run {run} has no samples to verify yet");
            return new Asked(kind, ["verify", .. samples], run);
        }
        if (kind == JobKind.Features) return new Asked(kind, ["images", "features"], null);
        if (kind == JobKind.Snapshot)
        {
            // The selector as the catalog writes it back, in one argument (a selector may start with '-').
            var where = Selector.Parse(Field(fields, "where") ?? "all").Text;
            return new Asked(kind, ["dataset", "create", f.Name("name", required: true)!, $"--where={where}"], null);
        }
        if (kind == JobKind.Eval)
        {
            var run = f.Run(catalog);
            List<string> args = ["eval", "--run", run, "--checkpoint", f.Checkpoint(), "--seed", Text(f.Long("seed", 0, long.MaxValue) ?? 0)];
            f.AddInt(args, "n", "--n", 2, 50_000);
            if (f.Name("against") is { } against) args.AddRange(["--against", against]);
            return new Asked(kind, args, run);
        }
        if (kind == JobKind.Ingest)
        {
            // A folder, archive or URL list on the studio's machine, or an http(s) URL: the same sources as `atelier ingest`.
            var source = Field(fields, "source") ?? throw new AtelierException("bad-request", "say what to ingest: a folder, an archive, a URL list or a URL");
            if (source.StartsWith('-') || source.Length > 2000) throw new AtelierException("bad-request", $"'{source}' is not a folder, archive or URL");
            List<string> args = ["ingest", source];
            if (f.Name("sourceName") is { } name) args.AddRange(["--source", name]);
            if (f.Name("license") is { } license) args.AddRange(["--license", license]);
            return new Asked(kind, args, null);
        }
        var snapshot = f.Name("snapshot", required: true)!;
        return new Asked(kind, ["dataset", "export", snapshot, "--resolution", Text(f.Int("resolution", 8, 4096) ?? 64),
            "--format", f.OneOf("format", ["shards", "folder", "webdataset"], "folder"), "--fit", f.OneOf("fit", ["crop", "pad"], "crop"), "--out", "export"], null);
    }

    private static string? Field(IReadOnlyDictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class Fields(IReadOnlyDictionary<string, string> fields)
    {
        public string? Name(string key, bool required = false)
        {
            var v = Field(fields, key);
            if (v is null) return required ? throw new AtelierException("bad-request", $"say which {key}") : null;
            if (v.Length > 100 || v[0] == '-' || v.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                throw new AtelierException("bad-request", $"{key} '{v}' is not a name (letters, digits, '-', '_' or '.')");
            return v;
        }

        public string Run(Catalog.Catalog catalog)
        {
            var run = Name("run", required: true)!;
            return catalog.GetRun(run) is null ? throw new AtelierException("unknown-run", $"no run named '{run}'") : run;
        }

        /// <summary>latest, best, or a checkpoint id.</summary>
        public string Checkpoint() =>
            Field(fields, "checkpoint") is { } c && c is not ("latest" or "best") ? Text(Long("checkpoint", 1, long.MaxValue)!.Value) : Field(fields, "checkpoint") ?? "latest";

        public string OneOf(string key, string[] allowed, string fallback)
        {
            var v = Field(fields, key) ?? fallback;
            return allowed.Contains(v) ? v : throw new AtelierException("bad-request", $"{key} '{v}' is not one of {string.Join(", ", allowed)}");
        }

        public long? Long(string key, long min, long max)
        {
            if (Field(fields, key) is not { } v) return null;
            return long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                ? n : throw new AtelierException("bad-request", $"{key} '{v}' is not a whole number from {min} to {max}");
        }

        public int? Int(string key, int min, int max) => (int?)Long(key, min, max);

        public void AddInt(List<string> args, string key, string option, int min, int max)
        {
            if (Int(key, min, max) is { } n) args.AddRange([option, Text(n)]);
        }

        public void AddNumber(List<string> args, string key, string option, double min, double max)
        {
            if (Field(fields, key) is not { } v) return;
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x) || x < min || x > max)
                throw new AtelierException("bad-request", $"{key} '{v}' is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            args.AddRange([option, Text(x)]);
        }
    }
}
