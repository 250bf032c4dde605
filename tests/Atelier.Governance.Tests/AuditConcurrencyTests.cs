using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance.Audit;
using Atelier.TestSupport;

namespace Atelier.Governance.Tests;

/// <summary>
/// Audit appends from several connections to one workspace at once (each thread opens the workspace
/// itself, as a separate command would): one chain, no sequence number twice, nothing lost, and the
/// head file names the last entry.
/// </summary>
public sealed class AuditConcurrencyTests : IDisposable
{
    private const int Writers = 8, EntriesEach = 25;
    private readonly TempWorkspace _t = new();

    public AuditConcurrencyTests() => GovernanceSession.Initialize(_t.Workspace, "olga", _ => null);

    public void Dispose() => _t.Dispose();

    private GovernanceSession OpenSession(out Workspace workspace)
    {
        workspace = Workspace.Open(_t.Directory);
        return GovernanceSession.Open(workspace, _ => null);
    }

    [Fact]
    public void Appends_from_many_connections_at_once_form_one_intact_chain()
    {
        using var start = new Barrier(Writers);
        var failures = new Exception?[Writers];
        var threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            try
            {
                var session = OpenSession(out var workspace);
                using (workspace)
                {
                    start.SignalAndWait();
                    // Outside any transaction: the case that used to take one sequence number twice.
                    for (var n = 0; n < EntriesEach; n++) session.Record(AuditAction.Rate, new { writer = w, n }, GovernanceSession.Image(w * 1000 + n));
                }
            }
            catch (Exception e) { failures[w] = e; }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.All(failures, e => Assert.Null(e));

        var session = GovernanceSession.Open(_t.Workspace, _ => null);
        var verification = session.Audit.Verify();
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(1 + Writers * EntriesEach, verification.Entries);
        var written = _t.Catalog.AllAuditEntries().Where(e => e.Action == AuditAction.Rate)
            .Select(e => JsonDocument.Parse(e.Detail).RootElement).Select(d => (d.GetProperty("writer").GetInt32(), d.GetProperty("n").GetInt32())).ToList();
        var expected = Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, EntriesEach).Select(n => (w, n)));
        Assert.Equal(expected.Order(), written.Order());
        // Each writer's own entries keep their order in the chain.
        Assert.All(written.GroupBy(x => x.Item1), g => Assert.Equal(g.Select(x => x.Item2).Order(), g.Select(x => x.Item2)));
        Assert.Equal(HeadSeq(session), verification.Entries);
    }

    [Fact]
    public void An_append_that_waits_for_another_transaction_chains_to_the_entry_it_committed()
    {
        var first = OpenSession(out var firstWorkspace);
        var second = OpenSession(out var secondWorkspace);
        using (firstWorkspace)
        using (secondWorkspace)
        {
            AuditRow? waited = null;
            Exception? failure = null;
            var waiter = new Thread(() =>
            {
                try { waited = second.Record(AuditAction.Exclude, new { who = "second" }); }
                catch (Exception e) { failure = e; }
            });
            AuditRow held;
            using (var tx = firstWorkspace.Catalog.BeginTransaction())
            {
                held = first.Record(AuditAction.Rate, new { who = "first" });
                waiter.Start();
                // The second append starts while the first is not committed yet: it must wait and then follow it.
                Thread.Sleep(300);
                tx.Commit();
            }
            waiter.Join();
            Assert.Null(failure);
            Assert.Equal(held.Seq + 1, waited!.Seq);
            Assert.Equal(held.Hash, waited.PrevHash);
        }
        var verification = GovernanceSession.Open(_t.Workspace, _ => null).Audit.Verify();
        Assert.True(verification.Intact, verification.Problem);
        Assert.Equal(3, verification.Entries);
    }

    [Fact]
    public void A_rolled_back_append_leaves_no_entry_and_the_next_one_takes_its_place()
    {
        var session = GovernanceSession.Open(_t.Workspace, _ => null);
        using (_t.Catalog.BeginTransaction()) session.Record(AuditAction.Rate, new { kept = false });
        var next = session.Record(AuditAction.Rate, new { kept = true });
        Assert.Equal(2, next.Seq);
        Assert.True(session.Audit.Verify().Intact);
        Assert.Equal(2, HeadSeq(session));
    }

    [Fact]
    public void Many_appends_in_one_transaction_leave_the_head_on_the_last_of_them()
    {
        var session = GovernanceSession.Open(_t.Workspace, _ => null);
        using (var tx = _t.Catalog.BeginTransaction())
        {
            for (var i = 0; i < 3; i++) session.Record(AuditAction.Rate, new { i });
            tx.Commit();
        }
        Assert.Equal(4, HeadSeq(session));
        Assert.True(session.Audit.Verify().Intact);
    }

    /// <summary>The entry the signed head file names (its first field).</summary>
    private static long HeadSeq(GovernanceSession session) => long.Parse(File.ReadAllText(session.AuditHeadPath).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}
