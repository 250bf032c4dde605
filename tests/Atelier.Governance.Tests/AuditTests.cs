using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Audit;
using Atelier.TestSupport;
using Microsoft.Data.Sqlite;

namespace Atelier.Governance.Tests;

public sealed class AuditTests : IDisposable
{
    private readonly TempWorkspace _t = new();
    private readonly GovernanceSession _session;

    public AuditTests()
    {
        (_session, _) = GovernanceSession.Initialize(_t.Workspace, "olga", _ => null);
        for (var i = 1; i <= 5; i++)
            _session.Record(AuditAction.Rate, new { rating = "general", images = i }, GovernanceSession.Image(i), GovernanceSession.Ref("run", "r" + i));
    }

    public void Dispose() => _t.Dispose();

    /// <summary>Tampers the way someone with the database file would: bypassing the append-only triggers.</summary>
    private void Tamper(string sql)
    {
        using var db = new SqliteConnection($"Data Source={_t.Catalog.DatabasePath};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; " + sql;
        cmd.ExecuteNonQuery();
    }

    private AuditVerification Verify() => _session.Audit.Verify();

    [Fact]
    public void An_untouched_log_verifies()
    {
        var v = Verify();
        Assert.True(v.Intact, v.Problem);
        Assert.Equal(6, v.Entries); // workspace-created + 5
    }

    [Fact]
    public void The_catalog_refuses_edits_and_deletions_of_entries()
    {
        Assert.Contains("append-only", Assert.Throws<SqliteException>(() => RawExec("UPDATE audit SET actor = 'x' WHERE seq = 2")).Message);
        Assert.Contains("append-only", Assert.Throws<SqliteException>(() => RawExec("DELETE FROM audit WHERE seq = 2")).Message);
        Assert.True(Verify().Intact);
    }

    private int RawExec(string sql)
    {
        using var db = new SqliteConnection($"Data Source={_t.Catalog.DatabasePath};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteNonQuery();
    }

    [Fact]
    public void An_edited_entry_is_named()
    {
        Tamper("UPDATE audit SET detail = '{\"rating\":\"explicit\",\"images\":3}' WHERE seq = 4");
        var v = Verify();
        Assert.False(v.Intact);
        Assert.Equal(4, v.FirstBadSeq);
        Assert.Contains("edited", v.Problem);
    }

    [Fact]
    public void An_edited_reference_is_caught()
    {
        Tamper("UPDATE audit_refs SET ref = '99' WHERE seq = 3 AND kind = 'image'");
        Assert.Equal(3, Verify().FirstBadSeq);
    }

    [Fact]
    public void A_deleted_entry_is_named()
    {
        Tamper("DELETE FROM audit WHERE seq = 3");
        var v = Verify();
        Assert.Equal(3, v.FirstBadSeq);
        Assert.Contains("missing", v.Problem);
    }

    [Fact]
    public void An_entry_rehashed_without_the_key_is_caught_by_its_signature()
    {
        var row = _t.Catalog.AllAuditEntries()[5];
        var forged = AuditLog.Hash(row.Seq, row.At, "mallory", row.Action, row.Detail, row.PrevHash, row.Refs);
        Tamper($"UPDATE audit SET actor = 'mallory', hash = '{forged}' WHERE seq = 6");
        var v = Verify();
        Assert.Equal(6, v.FirstBadSeq);
        Assert.Contains("signature", v.Problem);
    }

    [Fact]
    public void An_inserted_entry_is_named()
    {
        // Shift entries 4..6 up by one and put a made-up entry at 4, copying a valid-looking hash and signature.
        Tamper("""
               UPDATE audit SET seq = seq + 100 WHERE seq >= 4; UPDATE audit SET seq = seq - 99 WHERE seq >= 104;
               INSERT INTO audit(seq, at, actor, action, detail, prev_hash, hash, key_id, mac)
                 SELECT 4, at, actor, 'consent-revoke', '{}', hash, hash, key_id, mac FROM audit WHERE seq = 3;
               """);
        var v = Verify();
        Assert.False(v.Intact);
        Assert.Equal(4, v.FirstBadSeq);
    }

    [Fact]
    public void Reordered_entries_are_caught()
    {
        Tamper("UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 100;");
        var v = Verify();
        Assert.Equal(2, v.FirstBadSeq);
        Assert.Contains("does not follow", v.Problem);
    }

    [Fact]
    public void Cutting_entries_off_the_end_is_caught_by_the_head_file()
    {
        Tamper("DELETE FROM audit WHERE seq >= 5");
        var v = Verify();
        Assert.False(v.Intact);
        Assert.Equal(5, v.FirstBadSeq);
        Assert.Contains("cut short", v.Problem);
    }

    [Fact]
    public void A_deleted_head_file_is_reported()
    {
        File.Delete(_session.AuditHeadPath);
        Assert.Contains("head file", Verify().Problem);
    }

    [Theory]
    [InlineData("flip-last")]
    [InlineData("truncate")]
    [InlineData("empty-prefix")]
    public void A_head_file_with_a_forged_signature_is_caught(string how)
    {
        var parts = File.ReadAllText(_session.AuditHeadPath).Trim().Split(' ');
        var mac = parts[3];
        parts[3] = how switch
        {
            "flip-last" => mac[..^1] + (mac[^1] == '0' ? '1' : '0'),
            "truncate" => mac[..^2],
            _ => mac[..1],
        };
        File.WriteAllText(_session.AuditHeadPath, string.Join(' ', parts) + "\n");
        var v = Verify();
        Assert.False(v.Intact);
        Assert.Contains("head file has a bad signature", v.Problem);
    }

    [Fact]
    public void Entries_are_found_by_what_they_are_about()
    {
        var about3 = _session.Audit.Find(new AuditQuery(Kind: "image", Reference: "3"));
        Assert.Equal([4L], about3.Select(e => e.Seq));
        Assert.Equal(5, _session.Audit.Find(new AuditQuery(Action: AuditAction.Rate)).Count);
        Assert.Single(_session.Audit.Find(new AuditQuery(Kind: "run", Reference: "r5")));
    }

    [Fact]
    public void An_entry_made_inside_a_rolled_back_transaction_leaves_no_trace()
    {
        using (var tx = _t.Catalog.BeginTransaction())
            _session.Record(AuditAction.Exclude, new { images = 1 });
        Assert.Equal(6, _t.Catalog.AuditCount);
        Assert.True(Verify().Intact);
    }
}
