namespace Atelier.Governance.Access;

/// <summary>What a user may do; each role includes the ones before it.</summary>
public enum Role
{
    /// <summary>Reads catalog, reports, lineage and the audit log.</summary>
    Viewer = 0,
    /// <summary>Also tags and rates images.</summary>
    Annotator = 1,
    /// <summary>Also ingests, curates, links subjects, records consents, snapshots, exports, trains and samples.</summary>
    Reviewer = 2,
    /// <summary>Also adds subjects' personal data and reads it, imports blocklists, rotates keys and manages users.</summary>
    Admin = 3,
}

public static class Roles
{
    public static string Name(this Role role) => role.ToString().ToLowerInvariant();

    public static Role Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "viewer" => Role.Viewer,
        "annotator" => Role.Annotator,
        "reviewer" => Role.Reviewer,
        "admin" => Role.Admin,
        _ => throw new AtelierException("bad-role", $"unknown role '{text}': use viewer, annotator, reviewer or admin"),
    };
}

/// <summary>Who is acting: every audit entry names them, every guarded action checks their role.</summary>
public sealed record Actor(string Name, Role Role)
{
    /// <summary>Throws a one-line refusal unless this actor holds at least <paramref name="needed"/>.</summary>
    public void Require(Role needed, string action)
    {
        if (Role < needed)
            throw new AtelierException("forbidden", $"{Name} ({Role.Name()}) may not {action}: that needs the {needed.Name()} role");
    }
}
