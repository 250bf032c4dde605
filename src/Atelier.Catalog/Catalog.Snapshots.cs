using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

public sealed partial class Catalog
{
    public SnapshotRecord AddSnapshot(string name, string rootHash, string manifestSha256, string? filter, IReadOnlyCollection<long> imageIds)
    {
        if (GetSnapshot(name) is not null) throw new AtelierException("snapshot-exists", $"a dataset named '{name}' already exists (snapshots are immutable; choose another name)");
        var created = DateTimeOffset.UtcNow;
        var id = (long)Scalar(
            "INSERT INTO snapshots(name, root_hash, manifest_sha256, filter, image_count, created_at) VALUES($n, $r, $m, $f, $c, $t) RETURNING id",
            ("$n", name), ("$r", rootHash), ("$m", manifestSha256), ("$f", filter), ("$c", imageIds.Count), ("$t", Time(created)))!;
        using var insert = Cmd("INSERT INTO snapshot_images(snapshot_id, image_id) VALUES($s, $i)", ("$s", id));
        var pi = insert.Parameters.Add("$i", SqliteType.Integer);
        foreach (var imageId in imageIds)
        {
            pi.Value = imageId;
            insert.ExecuteNonQuery();
        }
        return new SnapshotRecord(id, name, rootHash, manifestSha256, filter, imageIds.Count, created);
    }

    public SnapshotRecord? GetSnapshot(string name) => ReadSnapshots("WHERE name = $n", ("$n", name)).FirstOrDefault();

    public IReadOnlyList<SnapshotRecord> ListSnapshots() => ReadSnapshots("");

    private List<SnapshotRecord> ReadSnapshots(string where, params (string, object?)[] parameters)
    {
        using var cmd = Cmd($"SELECT id, name, root_hash, manifest_sha256, filter, image_count, created_at FROM snapshots {where} ORDER BY id", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<SnapshotRecord>();
        while (r.Read())
            list.Add(new SnapshotRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), Str(r, 4), r.GetInt32(5), ParseTime(r.GetString(6))));
        return list;
    }
}
