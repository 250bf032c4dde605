using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

/// <summary>A candidate sample the memorization check kept back: never written, recorded with how close it came to which training image.</summary>
public sealed record WithheldSampleRecord(long Id, long RunId, long CheckpointId, long Seed, int Index, string Reason,
    int? PdqDistance, long? PdqImageId, double? FeatureDistance, long? FeatureImageId, double? PixelDistance, long? PixelImageId, DateTimeOffset CreatedAt);

/// <summary>What a watermark payload names: the sample, the checkpoint that made it, its run and the snapshot that run trained on, and every taint on that lineage.</summary>
public sealed record MarkedSampleLineage(SampleRecord Sample, CheckpointRecord Checkpoint, RunRecord Run, SnapshotRecord Snapshot, IReadOnlyList<TaintRecord> Taints)
{
    public bool Tainted => Taints.Count > 0;
}

public sealed partial class Catalog
{
    private const string SampleColumns = "id, run_id, checkpoint_id, seed, sample_index, labels, sha256, path, created_at, mark_payload, format";

    /// <summary>
    /// Records a written sample. <paramref name="markPayload"/> (16 hex digits) is unique across the workspace: a payload
    /// another sample already holds is refused with mark-taken, so a detected mark never names two samples.
    /// </summary>
    public SampleRecord AddSample(long runId, long checkpointId, long seed, int index, string? labels, string sha256, string path,
        string? markPayload = null, string format = "png")
    {
        if (markPayload is not null && !IsMarkPayload(markPayload))
            throw new ArgumentException($"a mark payload is 16 lowercase hex digits, not '{markPayload}'", nameof(markPayload));
        var now = DateTimeOffset.UtcNow;
        try
        {
            var id = (long)Scalar(
                "INSERT INTO samples(run_id, checkpoint_id, seed, sample_index, labels, sha256, path, created_at, mark_payload, format) " +
                "VALUES($r, $c, $s, $i, $l, $h, $p, $t, $m, $f) RETURNING id",
                ("$r", runId), ("$c", checkpointId), ("$s", seed), ("$i", index), ("$l", labels), ("$h", sha256), ("$p", path), ("$t", Time(now)),
                ("$m", markPayload), ("$f", format))!;
            return new SampleRecord(id, runId, checkpointId, seed, index, labels, sha256, path, now, markPayload, format);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19 && markPayload is not null && IsMarkPayloadTaken(markPayload))
        {
            throw new AtelierException("mark-taken", $"mark payload {markPayload} already names another sample");
        }
    }

    /// <summary>True when a recorded sample holds this payload (the sampler draws again before embedding).</summary>
    public bool IsMarkPayloadTaken(string markPayload) =>
        Scalar("SELECT 1 FROM samples WHERE mark_payload = $m", ("$m", markPayload)) is not null;

    public static bool IsMarkPayload(string text) => text.Length == 16 && text.All(ch => ch is >= '0' and <= '9' or >= 'a' and <= 'f');

    public IReadOnlyList<SampleRecord> ListSamples(long runId) => ReadSamples("WHERE run_id = $r", ("$r", runId));

    public SampleRecord? GetSample(long id) => ReadSamples("WHERE id = $i", ("$i", id)).FirstOrDefault();

    /// <summary>The sample holding this watermark payload, or null when this workspace has none.</summary>
    public SampleRecord? GetSampleByMark(string markPayload) =>
        IsMarkPayload(markPayload) ? ReadSamples("WHERE mark_payload = $m", ("$m", markPayload)).FirstOrDefault() : null;

    /// <summary>
    /// payload → sample → checkpoint → run → snapshot, with the taints of the checkpoint, the run and the snapshot (a withdrawn
    /// consent or a quarantine upstream): what `verify` reports for a detected mark. Null when no sample holds the payload.
    /// </summary>
    public MarkedSampleLineage? LineageOfMark(string markPayload)
    {
        if (GetSampleByMark(markPayload) is not { } sample) return null;
        var checkpoint = GetCheckpoint(sample.CheckpointId)!;
        var run = GetRun(sample.RunId)!;
        var snapshot = GetSnapshot(run.SnapshotId)!;
        var taints = TaintsOf(TaintKind.Checkpoint, checkpoint.Id).Concat(TaintsOf(TaintKind.Run, run.Id)).Concat(TaintsOf(TaintKind.Snapshot, snapshot.Id)).ToList();
        return new MarkedSampleLineage(sample, checkpoint, run, snapshot, taints);
    }

    /// <summary>Records a candidate the memorization check withheld. <paramref name="reason"/> names the measures it was too close on.</summary>
    public WithheldSampleRecord AddWithheldSample(long runId, long checkpointId, long seed, int index, string reason,
        int? pdqDistance, long? pdqImageId, double? featureDistance, long? featureImageId, double? pixelDistance, long? pixelImageId)
    {
        var now = DateTimeOffset.UtcNow;
        var id = (long)Scalar(
            "INSERT INTO withheld_samples(run_id, checkpoint_id, seed, sample_index, reason, pdq_distance, pdq_image_id, feature_distance, feature_image_id, " +
            "pixel_distance, pixel_image_id, created_at) VALUES($r, $c, $s, $i, $why, $pd, $pi, $fd, $fi, $xd, $xi, $t) RETURNING id",
            ("$r", runId), ("$c", checkpointId), ("$s", seed), ("$i", index), ("$why", reason), ("$pd", pdqDistance), ("$pi", pdqImageId),
            ("$fd", featureDistance), ("$fi", featureImageId), ("$xd", pixelDistance), ("$xi", pixelImageId), ("$t", Time(now)))!;
        return new WithheldSampleRecord(id, runId, checkpointId, seed, index, reason, pdqDistance, pdqImageId, featureDistance, featureImageId, pixelDistance, pixelImageId, now);
    }

    public IReadOnlyList<WithheldSampleRecord> ListWithheldSamples(long runId)
    {
        using var cmd = Cmd("SELECT id, run_id, checkpoint_id, seed, sample_index, reason, pdq_distance, pdq_image_id, feature_distance, feature_image_id, " +
                            "pixel_distance, pixel_image_id, created_at FROM withheld_samples WHERE run_id = $r ORDER BY id", ("$r", runId));
        using var r = cmd.ExecuteReader();
        var list = new List<WithheldSampleRecord>();
        while (r.Read())
            list.Add(new WithheldSampleRecord(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt32(4), r.GetString(5),
                r.IsDBNull(6) ? null : r.GetInt32(6), Long(r, 7), Dbl(r, 8), Long(r, 9), Dbl(r, 10), Long(r, 11), ParseTime(r.GetString(12))));
        return list;
    }

    /// <summary>A snapshot's images (quarantined ones excluded) with their SHA-256 and PDQ hash as displayed (where EXIF orientation turns the image; null: no hash).</summary>
    public IReadOnlyList<(long ImageId, string Sha256, byte[]? Pdq)> SnapshotImageHashes(long snapshotId)
    {
        using var cmd = Cmd("""
                            SELECT i.id, i.sha256, COALESCE(i.pdq_displayed, i.pdq) FROM snapshot_images s JOIN images i ON i.id = s.image_id
                            WHERE s.snapshot_id = $s AND i.quarantined = 0 ORDER BY i.id
                            """, ("$s", snapshotId));
        using var r = cmd.ExecuteReader();
        var list = new List<(long, string, byte[]?)>();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : (byte[])r.GetValue(2)));
        return list;
    }

    private List<SampleRecord> ReadSamples(string where, params (string, object?)[] parameters)
    {
        using var cmd = Cmd($"SELECT {SampleColumns} FROM samples {where} ORDER BY id", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<SampleRecord>();
        while (r.Read())
            list.Add(new SampleRecord(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt32(4), Str(r, 5), r.GetString(6), r.GetString(7),
                ParseTime(r.GetString(8)), Str(r, 9), r.GetString(10)));
        return list;
    }

    private static long? Long(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
