using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance.Keys;

namespace Atelier.Governance.Audit;

/// <summary>
/// The append-only, tamper-evident log of governance actions. Each entry's hash covers its content
/// and the previous entry's hash (a chain); each hash is signed with HMAC-SHA256 under a key derived
/// from the workspace key. A head file outside the catalog records the last entry, so that cutting
/// entries off the end is caught as well.
/// </summary>
public sealed class AuditLog(Catalog.Catalog catalog, KeyRing keys, string headPath)
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";
    private const string MacPurpose = "atelier audit v1";

    /// <summary>
    /// Appends an entry within the open transaction, or in one of its own. Either way the last entry
    /// is read under the catalog's write lock (transactions begin IMMEDIATE), so two processes
    /// appending at once can never both take the same sequence number or chain to the same entry.
    /// The head file follows once the entry commits.
    /// </summary>
    public AuditRow Append(Access.Actor actor, string action, object detail, params AuditRef[] refs)
    {
        var key = keys.Active;
        var row = catalog.InWriteTransaction(() =>
        {
            var last = catalog.LastAuditEntry();
            var seq = (last?.Seq ?? 0) + 1;
            var prev = last?.Hash ?? Genesis;
            var at = Catalog.Catalog.AuditTime(DateTimeOffset.UtcNow);
            var detailJson = JsonSerializer.Serialize(detail, detail.GetType(), DetailJson);
            var sortedRefs = refs.Distinct().OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Ref, StringComparer.Ordinal).ToList();
            var hash = Hash(seq, at, actor.Name, action, detailJson, prev, sortedRefs);
            var appended = new AuditRow(seq, at, actor.Name, action, detailJson, prev, hash, key.Id, Mac(key, hash), sortedRefs);
            catalog.AppendAudit(appended);
            // Once per transaction, however many entries it appends (a blocklist import may quarantine thousands).
            catalog.AfterCommit(() => UpdateHead(key), once: this);
            return appended;
        });
        return row;
    }

    /// <summary>
    /// Points the head file at the last committed entry. It is written under the catalog's write lock
    /// and names whatever entry is last then (not necessarily this process's), so heads written by
    /// processes that committed one after the other can never land in the wrong order: the head only
    /// moves forward, and it never names an entry that is not committed.
    /// </summary>
    private void UpdateHead(WorkspaceKey key)
    {
        using var tx = catalog.BeginTransaction();
        if (catalog.LastAuditEntry() is { } last) AuditHead.Write(headPath, last, key);
        tx.Commit();
    }

    /// <summary>Walks the whole chain; names the first entry that was edited, deleted, inserted or reordered.</summary>
    public AuditVerification Verify()
    {
        // The head first: it only ever names a committed entry, so entries read after it hold that one even while others append.
        var head = AuditHead.Read(headPath, keys);
        var entries = catalog.AllAuditEntries();
        var prev = Genesis;
        long expectedSeq = 1;
        foreach (var e in entries)
        {
            if (e.Seq != expectedSeq)
                return AuditVerification.Bad(entries.Count, Math.Min(e.Seq, expectedSeq), e.Seq > expectedSeq
                    ? $"entry {expectedSeq}{(e.Seq - expectedSeq > 1 ? $" to {e.Seq - 1}" : "")} is missing (deleted)"
                    : $"entry {e.Seq} is out of order");
            if (e.PrevHash != prev)
                return AuditVerification.Bad(entries.Count, e.Seq, $"entry {e.Seq} does not follow entry {e.Seq - 1} (inserted, reordered, or the one before was replaced)");
            if (Hash(e.Seq, e.At, e.Actor, e.Action, e.Detail, e.PrevHash, e.Refs) != e.Hash)
                return AuditVerification.Bad(entries.Count, e.Seq, $"entry {e.Seq} ({e.Action}) was edited: its content does not match its hash");
            WorkspaceKey key;
            try { key = keys.Find(e.KeyId); }
            catch (AtelierException) { return AuditVerification.Bad(entries.Count, e.Seq, $"entry {e.Seq} is signed with key {e.KeyId}, which is not in the key ring"); }
            if (!MacMatches(key, e.Hash, e.Mac))
                return AuditVerification.Bad(entries.Count, e.Seq, $"entry {e.Seq} ({e.Action}) has a bad signature (forged or re-hashed)");
            prev = e.Hash;
            expectedSeq++;
        }
        if (head.Seq < 0 && entries.Count > 0)
            return AuditVerification.Bad(entries.Count, entries.Count, $"the audit head file {headPath} is missing, so a cut-short log could not be told apart");
        if (head.Problem is not null) return AuditVerification.Bad(entries.Count, head.Seq, head.Problem);
        if (head.Seq > entries.Count)
            return AuditVerification.Bad(entries.Count, entries.Count + 1, $"entries {entries.Count + 1} to {head.Seq} are missing: the log was cut short (the head file names entry {head.Seq})");
        if (head.Seq > 0 && entries[(int)head.Seq - 1].Hash != head.Hash)
            return AuditVerification.Bad(entries.Count, head.Seq, $"entry {head.Seq} differs from the one the head file recorded");
        return AuditVerification.Good(entries.Count, prev);
    }

    public IReadOnlyList<AuditRow> Find(AuditQuery query) =>
        catalog.FindAudit(query.Kind, query.Reference, query.Action, query.From, query.To, query.Limit);

    internal static string Hash(long seq, string at, string actor, string action, string detail, string prev, IReadOnlyList<AuditRef> refs)
    {
        var text = new StringBuilder();
        text.Append(seq.ToString(CultureInfo.InvariantCulture)).Append('\n').Append(at).Append('\n').Append(actor).Append('\n')
            .Append(action).Append('\n').Append(detail).Append('\n').Append(prev).Append('\n');
        foreach (var r in refs) text.Append(r.Kind).Append(':').Append(r.Ref).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    internal static string Mac(WorkspaceKey key, string text) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key.Derive(MacPurpose), Encoding.ASCII.GetBytes(text)));

    /// <summary>Compares a stored MAC with the one computed for <paramref name="text"/> in fixed time.</summary>
    internal static bool MacMatches(WorkspaceKey key, string text, string stored) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(key, text)), Encoding.ASCII.GetBytes(stored));

    private static readonly JsonSerializerOptions DetailJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>A filter for <c>atelier audit show</c>: entries about one thing (kind + reference), an action, a time window.</summary>
public sealed record AuditQuery(string? Kind = null, string? Reference = null, string? Action = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Limit = 1000);

/// <summary>The outcome of <see cref="AuditLog.Verify"/>: intact, or the first bad entry and why.</summary>
public sealed record AuditVerification(bool Intact, int Entries, long? FirstBadSeq, string? Problem, string? LastHash)
{
    public static AuditVerification Good(int entries, string lastHash) => new(true, entries, null, null, lastHash);
    public static AuditVerification Bad(int entries, long seq, string problem) => new(false, entries, seq, problem, null);
}

/// <summary>The signed record of the last entry, kept next to the key ring's default place (outside the catalog database).</summary>
internal static class AuditHead
{
    private const string Purpose = "head";

    public static void Write(string path, AuditRow row, WorkspaceKey key)
    {
        var text = $"{row.Seq} {row.Hash} {key.Id} {AuditLog.Mac(key, $"{Purpose} {row.Seq} {row.Hash}")}\n";
        AtomicFile.WriteAllBytes(path, Encoding.ASCII.GetBytes(text));
    }

    public static (long Seq, string Hash, string? Problem) Read(string path, KeyRing keys)
    {
        if (!File.Exists(path)) return (-1, AuditLog.Genesis, null);
        var parts = File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 4 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            return (0, AuditLog.Genesis, $"the audit head file {path} is damaged");
        WorkspaceKey key;
        try { key = keys.Find(parts[2]); }
        catch (AtelierException) { return (seq, parts[1], $"the audit head file is signed with an unknown key {parts[2]}"); }
        // Fixed-time, like the entries' MACs: how many leading characters matched must not show in the timing.
        if (!AuditLog.MacMatches(key, $"{Purpose} {seq} {parts[1]}", parts[3])) return (seq, parts[1], "the audit head file has a bad signature");
        return (seq, parts[1], null);
    }
}
