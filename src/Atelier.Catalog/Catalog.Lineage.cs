using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

/// <summary>Kinds of things a withdrawn consent or a quarantine taints, downstream of the affected images.</summary>
public static class TaintKind
{
    public const string Snapshot = "snapshot";
    public const string Run = "run";
    public const string Checkpoint = "checkpoint";
}

/// <summary>Why something is tainted: <see cref="CauseKind"/> is consent-revoked or quarantine; <see cref="CauseRef"/> names the consent or quarantine entry.</summary>
public sealed record TaintRecord(string Kind, long EntityId, string CauseKind, string CauseRef, string Cause, DateTimeOffset At);

public sealed record TaintCount(int Snapshots, int Runs, int Checkpoints);

public sealed partial class Catalog
{
    /// <summary>
    /// Marks every snapshot holding any of <paramref name="imageIds"/>, every run trained from those
    /// snapshots or initialised from a checkpoint of a tainted run (transitively), and every checkpoint of those runs
    /// as tainted, with the cause. Idempotent per cause.
    /// </summary>
    public TaintCount TaintDownstream(IReadOnlyCollection<long> imageIds, string causeKind, string causeRef, string cause)
    {
        Exec("CREATE TEMP TABLE IF NOT EXISTS affected_images(id INTEGER PRIMARY KEY); DELETE FROM temp.affected_images;");
        using (var insert = Cmd("INSERT OR IGNORE INTO temp.affected_images(id) VALUES($i)"))
        {
            var pi = insert.Parameters.Add("$i", SqliteType.Integer);
            foreach (var id in imageIds)
            {
                pi.Value = id;
                insert.ExecuteNonQuery();
            }
        }
        var at = Time(DateTimeOffset.UtcNow);
        (string, object?)[] p = [("$ck", causeKind), ("$cr", causeRef), ("$c", cause), ("$at", at)];
        var snapshots = Exec($"""
                              INSERT OR IGNORE INTO taints(kind, entity_id, cause_kind, cause_ref, cause, at)
                              SELECT DISTINCT '{TaintKind.Snapshot}', si.snapshot_id, $ck, $cr, $c, $at
                              FROM snapshot_images si JOIN temp.affected_images a ON a.id = si.image_id
                              """, p);
        // Runs trained on those snapshots, and, transitively, every run initialised (--init-from) from a checkpoint of a
        // tainted run: a model built on a model built on the images is built on them too.
        var runs = Exec($"""
                         WITH RECURSIVE tainted(id) AS (
                           SELECT r.id FROM runs r
                           WHERE r.snapshot_id IN (SELECT entity_id FROM taints WHERE kind = '{TaintKind.Snapshot}' AND cause_kind = $ck AND cause_ref = $cr)
                           UNION
                           SELECT entity_id FROM taints WHERE kind = '{TaintKind.Run}' AND cause_kind = $ck AND cause_ref = $cr
                           UNION
                           SELECT r.id FROM runs r JOIN checkpoints c ON c.id = r.init_checkpoint_id JOIN tainted t ON t.id = c.run_id)
                         INSERT OR IGNORE INTO taints(kind, entity_id, cause_kind, cause_ref, cause, at)
                         SELECT '{TaintKind.Run}', id, $ck, $cr, $c, $at FROM tainted
                         """, p);
        var checkpoints = Exec($"""
                                INSERT OR IGNORE INTO taints(kind, entity_id, cause_kind, cause_ref, cause, at)
                                SELECT '{TaintKind.Checkpoint}', c.id, $ck, $cr, $c, $at FROM checkpoints c
                                WHERE c.run_id IN (SELECT entity_id FROM taints WHERE kind = '{TaintKind.Run}' AND cause_kind = $ck AND cause_ref = $cr)
                                """, p);
        Exec("DELETE FROM temp.affected_images");
        return new TaintCount(snapshots, runs, checkpoints);
    }

    /// <summary>A checkpoint written after its run was tainted inherits the run's taints.</summary>
    public void InheritRunTaints(long runId, long checkpointId) =>
        Exec($"""
              INSERT OR IGNORE INTO taints(kind, entity_id, cause_kind, cause_ref, cause, at)
              SELECT '{TaintKind.Checkpoint}', $c, cause_kind, cause_ref, cause, at FROM taints WHERE kind = '{TaintKind.Run}' AND entity_id = $r
              """, ("$c", checkpointId), ("$r", runId));

    /// <summary>Everything one cause tainted, as (kind, entity id).</summary>
    public IReadOnlyList<(string Kind, long EntityId)> TaintedBy(string causeKind, string causeRef)
    {
        using var cmd = Cmd("SELECT kind, entity_id FROM taints WHERE cause_kind = $k AND cause_ref = $r ORDER BY id", ("$k", causeKind), ("$r", causeRef));
        using var r = cmd.ExecuteReader();
        var list = new List<(string, long)>();
        while (r.Read()) list.Add((r.GetString(0), r.GetInt64(1)));
        return list;
    }

    public IReadOnlyList<TaintRecord> TaintsOf(string kind, long entityId)
    {
        using var cmd = Cmd("SELECT kind, entity_id, cause_kind, cause_ref, cause, at FROM taints WHERE kind = $k AND entity_id = $e ORDER BY id",
            ("$k", kind), ("$e", entityId));
        using var r = cmd.ExecuteReader();
        var list = new List<TaintRecord>();
        while (r.Read()) list.Add(new TaintRecord(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), ParseTime(r.GetString(5))));
        return list;
    }

    /// <summary>Snapshots that froze this image (quarantined images included: lineage must reach them).</summary>
    public IReadOnlyList<SnapshotRecord> SnapshotsOfImage(long imageId) =>
        ReadSnapshots("WHERE id IN (SELECT snapshot_id FROM snapshot_images WHERE image_id = $i)", ("$i", imageId));

    public SnapshotRecord? GetSnapshot(long id) => ReadSnapshots("WHERE id = $i", ("$i", id)).FirstOrDefault();

    public CheckpointRecord? GetCheckpoint(long id)
    {
        using var cmd = Cmd("SELECT id, run_id, images_seen, sha256, file_name, score, deleted, created_at FROM checkpoints WHERE id = $i", ("$i", id));
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new CheckpointRecord(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetString(4), Dbl(r, 5), r.GetBoolean(6), ParseTime(r.GetString(7)))
            : null;
    }

    /// <summary>The image ids a snapshot froze, quarantined ones included.</summary>
    public IReadOnlyList<long> ImagesOfSnapshot(long snapshotId)
    {
        using var cmd = Cmd("SELECT image_id FROM snapshot_images WHERE snapshot_id = $s ORDER BY image_id", ("$s", snapshotId));
        using var r = cmd.ExecuteReader();
        var ids = new List<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }
}
