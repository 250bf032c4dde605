using System.Globalization;
using Atelier.Catalog;

namespace Atelier.Governance.Lineage;

/// <summary>One thing in the lineage: an image, snapshot, run, checkpoint or sample, with its taints.</summary>
public sealed record LineageNode(string Kind, string Id, string Label, IReadOnlyList<string> Taints);

public sealed record LineageEdge(string From, string To);

/// <summary>
/// The graph image → snapshots → runs → checkpoints → samples around one starting point: everything
/// downstream of it, and what it came from upstream (images are counted, not listed, past a limit).
/// </summary>
public sealed record LineageGraph(string Root, IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges, int UpstreamImages)
{
    public const int MaxListedImages = 20;

    /// <summary>
    /// <paramref name="target"/> is image:ID (or a bare id or SHA-256 prefix), snapshot:NAME (dataset:NAME),
    /// run:NAME, checkpoint:ID or sample:ID; a bare name is tried as a dataset, then as a run.
    /// </summary>
    public static LineageGraph Of(Catalog.Catalog catalog, string target)
    {
        var builder = new Builder(catalog);
        var colon = target.IndexOf(':');
        var (kind, value) = colon > 0 ? (target[..colon].ToLowerInvariant(), target[(colon + 1)..]) : ("", target);
        switch (kind)
        {
            case "image" or "sha":
                return builder.FromImage(FindImage(catalog, kind == "sha" ? "sha:" + value : value));
            case "snapshot" or "dataset":
                return builder.FromSnapshot(catalog.GetSnapshot(value) ?? throw Unknown("dataset", value));
            case "run":
                return builder.FromRun(catalog.GetRun(value) ?? throw Unknown("run", value));
            case "checkpoint":
                return builder.FromCheckpoint(catalog.GetCheckpoint(Id(value)) ?? throw Unknown("checkpoint", value));
            case "sample":
                return builder.FromSample(catalog.GetSample(Id(value)) ?? throw Unknown("sample", value));
            case "":
                if (catalog.GetSnapshot(value) is { } s) return builder.FromSnapshot(s);
                if (catalog.GetRun(value) is { } r) return builder.FromRun(r);
                return builder.FromImage(FindImage(catalog, value));
            default:
                throw new AtelierException("bad-target", $"'{target}' is not something with lineage: use image:ID, snapshot:NAME, run:NAME, checkpoint:ID or sample:ID");
        }
    }

    private static long FindImage(Catalog.Catalog catalog, string text)
    {
        // Quarantined images keep their lineage: look them up without the selector's visibility filter.
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return id;
        var ids = catalog.SelectIds(Selector.Parse(text));
        return ids.Count switch
        {
            1 => ids[0],
            0 => throw Unknown("image", text),
            _ => throw new AtelierException("ambiguous", $"'{text}' matches {ids.Count} images; lineage starts from one"),
        };
    }

    private static long Id(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new AtelierException("bad-target", $"'{text}' is not an id");

    private static AtelierException Unknown(string kind, string value) => new("unknown-" + kind, $"no {kind} '{value}'");

    private sealed class Builder(Catalog.Catalog catalog)
    {
        private readonly List<LineageNode> _nodes = [];
        private readonly HashSet<string> _seen = [];
        private readonly List<LineageEdge> _edges = [];
        private int _upstreamImages;

        private string Add(string kind, object id, string label, string? taintKind = null, long taintId = 0)
        {
            var key = $"{kind}:{Convert.ToString(id, CultureInfo.InvariantCulture)}";
            if (_seen.Add(key))
            {
                var taints = taintKind is null ? [] : catalog.TaintsOf(taintKind, taintId).Select(t => t.Cause).ToList();
                _nodes.Add(new LineageNode(kind, Convert.ToString(id, CultureInfo.InvariantCulture)!, label, taints));
            }
            return key;
        }

        private void Edge(string from, string to)
        {
            if (!_edges.Contains(new LineageEdge(from, to))) _edges.Add(new LineageEdge(from, to));
        }

        private LineageGraph Done(string root) => new(root, _nodes, _edges, _upstreamImages);

        public LineageGraph FromImage(long imageId)
        {
            var snapshots = catalog.SnapshotsOfImage(imageId);
            var image = catalog.GetImage(imageId);
            if (image is null && snapshots.Count == 0) throw Unknown("image", imageId.ToString(CultureInfo.InvariantCulture));
            var root = Add("image", imageId, image is null ? "quarantined or removed" : $"sha {image.Sha256[..12]}, {image.Rating ?? "unrated"}");
            foreach (var s in snapshots) Edge(root, Snapshot(s, downstream: true));
            return Done(root);
        }

        public LineageGraph FromSnapshot(SnapshotRecord snapshot)
        {
            var key = Upstream(snapshot);
            Snapshot(snapshot, downstream: true);
            return Done(key);
        }

        public LineageGraph FromRun(RunRecord run)
        {
            var snapshot = catalog.GetSnapshot(run.SnapshotId)!;
            Edge(Upstream(snapshot), Run(run, downstream: true));
            InitialisedFrom(run);
            return Done($"run:{run.Name}");
        }

        /// <summary>The checkpoints a run's weights came from (--init-from), back to a run trained from scratch.</summary>
        private void InitialisedFrom(RunRecord run)
        {
            var visited = new HashSet<long>();
            for (var r = run; r.InitCheckpointId is { } id && catalog.GetCheckpoint(id) is { } source && catalog.GetRun(source.RunId) is { } sourceRun;)
            {
                var key = Checkpoint(source, downstream: false);
                Edge(key, $"run:{r.Name}");
                var sourceKey = Run(sourceRun, downstream: false);
                Edge(sourceKey, key);
                Edge(Snapshot(catalog.GetSnapshot(sourceRun.SnapshotId)!, downstream: false), sourceKey);
                if (!visited.Add(sourceRun.Id)) break;
                r = sourceRun;
            }
        }

        public LineageGraph FromCheckpoint(CheckpointRecord checkpoint)
        {
            var run = catalog.GetRun(checkpoint.RunId)!;
            Edge(Upstream(catalog.GetSnapshot(run.SnapshotId)!), Run(run, downstream: false));
            InitialisedFrom(run);
            var key = Checkpoint(checkpoint, downstream: true);
            Edge($"run:{run.Name}", key);
            return Done(key);
        }

        public LineageGraph FromSample(SampleRecord sample)
        {
            var checkpoint = catalog.GetCheckpoint(sample.CheckpointId)!;
            var run = catalog.GetRun(sample.RunId)!;
            Edge(Upstream(catalog.GetSnapshot(run.SnapshotId)!), Run(run, downstream: false));
            var ck = Checkpoint(checkpoint, downstream: false);
            Edge($"run:{run.Name}", ck);
            var key = Sample(sample);
            Edge(ck, key);
            return Done(key);
        }

        /// <summary>The snapshot and the images it froze (listed up to a limit).</summary>
        private string Upstream(SnapshotRecord snapshot)
        {
            var key = Snapshot(snapshot, downstream: false);
            var images = catalog.ImagesOfSnapshot(snapshot.Id);
            _upstreamImages = images.Count;
            foreach (var id in images.Take(MaxListedImages))
            {
                var image = catalog.GetImage(id);
                Edge(Add("image", id, image is null ? "quarantined or removed" : $"sha {image.Sha256[..12]}, {image.Rating ?? "unrated"}"), key);
            }
            return key;
        }

        private string Snapshot(SnapshotRecord s, bool downstream)
        {
            var key = Add("snapshot", s.Name, $"{s.ImageCount} images, root {s.RootHash[..12]}", TaintKind.Snapshot, s.Id);
            if (downstream)
                foreach (var run in catalog.RunsOfSnapshot(s.Id)) Edge(key, Run(run, downstream: true));
            return key;
        }

        private string Run(RunRecord run, bool downstream)
        {
            var init = run.InitCheckpointId is { } from && catalog.GetCheckpoint(from) is { } source
                ? $", initialised from checkpoint {from} of run {catalog.GetRun(source.RunId)?.Name}" : "";
            var key = Add("run", run.Name, $"{run.Model}, {run.Status}, {run.ImagesSeen / 1000.0:0.0} kimg{init}", TaintKind.Run, run.Id);
            if (downstream)
                foreach (var c in catalog.ListCheckpoints(run.Id)) Edge(key, Checkpoint(c, downstream: true));
            return key;
        }

        private string Checkpoint(CheckpointRecord c, bool downstream)
        {
            var key = Add("checkpoint", c.Id, $"{c.ImagesSeen / 1000.0:0.0} kimg, sha {c.Sha256[..12]}{(c.Deleted ? ", pruned" : "")}", TaintKind.Checkpoint, c.Id);
            if (downstream)
            {
                foreach (var s in catalog.ListSamples(c.RunId).Where(s => s.CheckpointId == c.Id)) Edge(key, Sample(s));
                // Runs whose weights started here: what a consent withdrawn upstream reaches too.
                foreach (var run in catalog.RunsInitialisedFrom(c.Id)) Edge(key, Run(run, downstream: true));
            }
            return key;
        }

        private string Sample(SampleRecord s) => Add("sample", s.Id, $"seed {s.Seed} #{s.Index}, sha {s.Sha256[..12]}");
    }
}
