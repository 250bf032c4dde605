namespace Atelier.Catalog;

/// <summary>One stored audit entry. <see cref="At"/> stays the stored text so that hashing it is exact.</summary>
public sealed record AuditRow(long Seq, string At, string Actor, string Action, string Detail, string PrevHash, string Hash, string KeyId, string Mac,
    IReadOnlyList<AuditRef> Refs);

/// <summary>What an audit entry is about (kind: image, subject, consent, snapshot, run, checkpoint, sample, blocklist, user, ingest).</summary>
public sealed record AuditRef(string Kind, string Ref);

public sealed partial class Catalog
{
    /// <summary>Appends an entry; the triggers in the schema refuse any later UPDATE or DELETE of it.</summary>
    public void AppendAudit(AuditRow row)
    {
        Exec("INSERT INTO audit(seq, at, actor, action, detail, prev_hash, hash, key_id, mac) VALUES($s, $at, $a, $ac, $d, $p, $h, $k, $m)",
            ("$s", row.Seq), ("$at", row.At), ("$a", row.Actor), ("$ac", row.Action), ("$d", row.Detail), ("$p", row.PrevHash), ("$h", row.Hash),
            ("$k", row.KeyId), ("$m", row.Mac));
        foreach (var r in row.Refs.Distinct())
            Exec("INSERT OR IGNORE INTO audit_refs(seq, kind, ref) VALUES($s, $k, $r)", ("$s", row.Seq), ("$k", r.Kind), ("$r", r.Ref));
    }

    public AuditRow? LastAuditEntry() => ReadAudit("ORDER BY seq DESC LIMIT 1").FirstOrDefault();

    public long AuditCount => (long)Scalar("SELECT COUNT(*) FROM audit")!;

    /// <summary>Every entry in the order stored (by seq), for verification.</summary>
    public IReadOnlyList<AuditRow> AllAuditEntries() => ReadAudit("ORDER BY seq");

    /// <summary>Entries about <paramref name="kind"/> <paramref name="reference"/> (both null: all), within a time window, newest last.</summary>
    public IReadOnlyList<AuditRow> FindAudit(string? kind, string? reference, string? action, DateTimeOffset? from, DateTimeOffset? to, int limit)
    {
        var where = new List<string>();
        if (kind is not null) where.Add("seq IN (SELECT seq FROM audit_refs WHERE kind = $kind AND ($ref IS NULL OR ref = $ref))");
        if (action is not null) where.Add("action = $action");
        if (from is not null) where.Add("at >= $from");
        if (to is not null) where.Add("at <= $to");
        var sql = (where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "") + " ORDER BY seq DESC LIMIT $limit";
        return ReadAudit(sql, ("$kind", kind), ("$ref", reference), ("$action", action),
            ("$from", from is { } f ? Time(f) : null), ("$to", to is { } t ? Time(t) : null), ("$limit", limit)).OrderBy(r => r.Seq).ToList();
    }

    /// <summary>The canonical text form of a time, as audit entries store it.</summary>
    public static string AuditTime(DateTimeOffset t) => Time(t);

    private List<AuditRow> ReadAudit(string tail, params (string, object?)[] parameters)
    {
        var rows = new List<(long Seq, string At, string Actor, string Action, string Detail, string Prev, string Hash, string Key, string Mac)>();
        using (var cmd = Cmd($"SELECT seq, at, actor, action, detail, prev_hash, hash, key_id, mac FROM audit {tail}", parameters))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                rows.Add((r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7), r.GetString(8)));
        var refs = new Dictionary<long, List<AuditRef>>();
        if (rows.Count > 0)
        {
            var min = rows.Min(x => x.Seq);
            var max = rows.Max(x => x.Seq);
            using var cmd = Cmd("SELECT seq, kind, ref FROM audit_refs WHERE seq BETWEEN $a AND $b", ("$a", min), ("$b", max));
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                var seq = r.GetInt64(0);
                if (!refs.TryGetValue(seq, out var list)) refs[seq] = list = [];
                list.Add(new AuditRef(r.GetString(1), r.GetString(2)));
            }
        }
        return rows.Select(x => new AuditRow(x.Seq, x.At, x.Actor, x.Action, x.Detail, x.Prev, x.Hash, x.Key, x.Mac,
            (refs.GetValueOrDefault(x.Seq) ?? []).OrderBy(a => a.Kind, StringComparer.Ordinal).ThenBy(a => a.Ref, StringComparer.Ordinal).ToList())).ToList();
    }
}
