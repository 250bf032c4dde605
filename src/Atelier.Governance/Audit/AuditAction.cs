namespace Atelier.Governance.Audit;

/// <summary>The governance-relevant actions the audit log records.</summary>
public static class AuditAction
{
    public const string WorkspaceCreated = "workspace-created";
    public const string Ingest = "ingest";
    public const string Rate = "rate";
    public const string Exclude = "exclude";
    public const string Include = "include";
    public const string SubjectAdd = "subject-add";
    public const string SubjectLink = "subject-link";
    public const string SubjectUnlink = "subject-unlink";
    public const string SubjectReveal = "subject-reveal";
    public const string ConsentGrant = "consent-grant";
    public const string ConsentRevoke = "consent-revoke";
    public const string PolicyEvaluation = "policy-evaluation";
    public const string BlocklistImport = "blocklist-import";
    public const string Quarantine = "quarantine";
    public const string Taint = "taint";
    public const string Snapshot = "snapshot";
    public const string Export = "export";
    public const string TrainingStart = "training-start";
    public const string Sampling = "sampling";
    /// <summary>Candidate samples the memorization check kept back (not written), with the reason and the distances.</summary>
    public const string SamplesWithheld = "samples-withheld";
    public const string ModelExport = "model-export";
    public const string KeysRotated = "keys-rotated";
    public const string UserAdded = "user-added";
    public const string UserChanged = "user-changed";
    public const string JobSubmitted = "job-submitted";
    public const string JobStopRequested = "job-stop-requested";
    public const string JobEnded = "job-ended";
}
