using Atelier.Catalog;
using Atelier.Governance.Audit;

namespace Atelier.Governance.Lineage;

/// <summary>
/// Carries a withdrawn consent, a quarantine or a subject link taken back downstream: snapshots, runs and checkpoints built
/// on the images.
/// </summary>
public static class Revocation
{
    public const string ConsentRevoked = "consent-revoked";
    public const string Quarantined = "quarantine";
    /// <summary>A subject's link to images was taken back: what was built on them relied on that person's consent.</summary>
    public const string SubjectUnlinked = "subject-unlink";

    public static TaintCount Taint(GovernanceSession session, IReadOnlyCollection<long> imageIds, string causeKind, string causeRef, string cause)
    {
        var count = session.Workspace.Catalog.TaintDownstream(imageIds, causeKind, causeRef, cause);
        if (count.Snapshots + count.Runs + count.Checkpoints > 0)
            // The entry names what it tainted, so `audit show --run R` finds it.
            session.Record(AuditAction.Taint, new { causeKind, causeRef, cause, count.Snapshots, count.Runs, count.Checkpoints },
                [GovernanceSession.Ref(causeKind switch { ConsentRevoked => "consent", SubjectUnlinked => "subject-unlink", _ => "quarantine" }, causeRef),
                 .. session.Workspace.Catalog.TaintedBy(causeKind, causeRef).Select(t => GovernanceSession.Ref(t.Kind, t.EntityId))]);
        return count;
    }

    /// <summary>Refuses to use a tainted checkpoint, naming the first cause.</summary>
    public static void EnsureUsable(Catalog.Catalog catalog, CheckpointRecord checkpoint, string runName)
    {
        var taints = catalog.TaintsOf(TaintKind.Checkpoint, checkpoint.Id);
        if (taints.Count > 0)
            throw new AtelierException("tainted", $"checkpoint {checkpoint.Id} of run {runName} is tainted and cannot sample: {taints[0].Cause}" +
                                                  (taints.Count > 1 ? $" (and {taints.Count - 1} more causes; see 'atelier lineage run:{runName}')" : ""));
    }
}
