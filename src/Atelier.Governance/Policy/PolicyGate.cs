using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance.Audit;

namespace Atelier.Governance.Policy;

/// <summary>The stages at which the policy is evaluated (recorded in each evaluation's audit entry).</summary>
public static class PolicyStage
{
    public const string DatasetCreate = "dataset-create";
    public const string Export = "export";
    /// <summary><c>atelier tag export --images</c>: originals copied next to their tag sidecars.</summary>
    public const string TagExport = "tag-export";
    public const string TrainingStart = "training-start";
    public const string TrainingResume = "training-resume";
    public const string Check = "check";
    /// <summary><c>atelier eval</c>: a snapshot's images measured against a model's.</summary>
    public const string Evaluation = "evaluation";
}

/// <summary>A stage refused because of policy violations or taints; <see cref="Report"/> says which and how to fix them.</summary>
public sealed class PolicyRefusedException(string message, PolicyReport report) : AtelierException("policy-refused", message)
{
    public PolicyReport Report { get; } = report;
}

/// <summary>
/// Evaluates the workspace policy and the hard rules over images, records each evaluation in the
/// audit log, and refuses snapshots that no longer pass (consent revoked, policy changed, taints).
/// </summary>
public static class PolicyGate
{
    /// <summary>
    /// Evaluates <paramref name="imageIds"/> under the workspace's current policy (or <paramref name="policy"/>)
    /// and appends a <c>policy-evaluation</c> audit entry. <paramref name="now"/> is the clock consent expiry is judged by.
    /// </summary>
    public static PolicyReport Evaluate(GovernanceSession session, string stage, IReadOnlyCollection<long> imageIds,
        SnapshotRecord? snapshot = null, WorkspacePolicy? policy = null, DateTimeOffset? now = null)
    {
        policy ??= PolicyFile.Load(session.Workspace);
        var at = now ?? DateTimeOffset.UtcNow;
        var catalog = session.Workspace.Catalog;
        var facts = catalog.PolicyFacts(imageIds);
        // Consent facts are only needed (and only unsealed) for images the rating rule applies to.
        var rated = facts.Where(f => f.Known && !f.Blocklisted && f.Rating is { } r && PolicyEvaluator.ConsentRatings.Contains(r)).Select(f => f.ImageId).ToList();
        var consent = rated.Count > 0 ? session.Consent.FactsFor(rated) : null;

        var violations = new List<PolicyViolation>();
        var passed = new List<long>();
        foreach (var image in facts)
        {
            var found = PolicyEvaluator.Check(policy, image, consent?.GetValueOrDefault(image.ImageId), at);
            if (found.Count == 0) passed.Add(image.ImageId);
            else violations.AddRange(found);
        }
        var taints = snapshot is null
            ? []
            : catalog.TaintsOf(TaintKind.Snapshot, snapshot.Id).Select(t => new PolicyTaint(t.CauseKind, t.CauseRef, t.Cause)).ToList();
        var report = new PolicyReport(stage, policy.Name, policy.Revision, policy.Sha256, policy.Origin, at, facts.Count, passed, violations, taints);

        AuditRef[] refs = [.. snapshot is null ? [] : new[] { GovernanceSession.Ref("snapshot", snapshot.Id) },
            .. violations.Select(v => v.ImageId).Distinct().Select(GovernanceSession.Image)];
        session.Record(AuditAction.PolicyEvaluation, new
        {
            stage, policy = policy.Sha256, policyName = policy.Name, revision = policy.Revision, dataset = snapshot?.Name,
            images = report.Images, passed = report.Passed, violatingImages = report.ViolatingImages, violations = report.ByRule, taints = taints.Count,
        }, refs);
        return report;
    }

    /// <summary>Re-evaluates every image a snapshot froze, plus the snapshot's taints (the gate of export and training).</summary>
    public static PolicyReport EvaluateSnapshot(GovernanceSession session, SnapshotRecord snapshot, string stage, WorkspacePolicy? policy = null, DateTimeOffset? now = null) =>
        Evaluate(session, stage, session.Workspace.Catalog.ImagesOfSnapshot(snapshot.Id), snapshot, policy, now);

    /// <summary>The gate of export and training: throws <see cref="PolicyRefusedException"/>, with the report, unless the snapshot still passes.</summary>
    public static PolicyReport EnsureSnapshotUsable(GovernanceSession session, SnapshotRecord snapshot, string stage, WorkspacePolicy? policy = null, DateTimeOffset? now = null)
    {
        var report = EvaluateSnapshot(session, snapshot, stage, policy, now);
        if (report.Clean) return report;
        var first = report.Taints.Count > 0
            ? $"it is tainted: {report.Taints[0].Cause}"
            : $"{report.ViolatingImages} of its {report.Images} images violate the policy (first: image {report.Violations[0].ImageId} {report.Violations[0].Rule}: {report.Violations[0].Reason})";
        throw new PolicyRefusedException(
            string.Create(CultureInfo.InvariantCulture,
                $"dataset '{snapshot.Name}' cannot be used for {stage}: {first}; make a new snapshot with 'atelier dataset create' (see 'atelier policy check --dataset {snapshot.Name}')"),
            report);
    }
}
