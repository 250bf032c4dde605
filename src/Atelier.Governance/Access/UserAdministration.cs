using Atelier.Catalog;
using Atelier.Governance.Audit;

namespace Atelier.Governance.Access;

/// <summary>Adding users, changing roles, disabling and re-issuing tokens: admins only, each audited.</summary>
public static class UserAdministration
{
    public static (UserRecord User, string Token) Add(GovernanceSession session, string name, Role role)
    {
        session.Actor.Require(Role.Admin, "add users");
        var catalog = session.Workspace.Catalog;
        using var tx = catalog.BeginTransaction();
        var added = session.Users.Add(name, role);
        session.Record(AuditAction.UserAdded, new { user = name, role = role.Name() }, GovernanceSession.Ref("user", name));
        tx.Commit();
        return added;
    }

    public static void SetRole(GovernanceSession session, string name, Role role) =>
        Change(session, name, "change roles", new { user = name, role = role.Name() }, () => session.Workspace.Catalog.UpdateUser(name, role: role.Name()));

    public static void Disable(GovernanceSession session, string name) =>
        Change(session, name, "disable users", new { user = name, disabled = true }, () => session.Workspace.Catalog.UpdateUser(name, disabled: true));

    public static string ResetToken(GovernanceSession session, string name)
    {
        var token = "";
        Change(session, name, "re-issue tokens", new { user = name, token = "re-issued" }, () => token = session.Users.ResetToken(name));
        return token;
    }

    /// <summary>
    /// Sets the password a user signs in to the studio with, given as a hash made by the studio's hasher (this stage stores it and
    /// never sees the password). Admins set anyone's, every user their own; the audit entry says only that it was set.
    /// </summary>
    public static void SetPassword(GovernanceSession session, string name, string passwordHash)
    {
        if (session.Actor.Name != name) session.Actor.Require(Role.Admin, "set other users' passwords");
        var catalog = session.Workspace.Catalog;
        _ = catalog.GetUser(name) ?? throw new AtelierException("unknown-user", $"no user named '{name}' (see 'atelier user list')");
        using var tx = catalog.BeginTransaction();
        catalog.SetUserPasswordHash(name, passwordHash);
        session.Record(AuditAction.UserChanged, new { user = name, password = "set" }, GovernanceSession.Ref("user", name));
        tx.Commit();
    }

    private static void Change(GovernanceSession session, string name, string what, object detail, Action apply)
    {
        session.Actor.Require(Role.Admin, what);
        var catalog = session.Workspace.Catalog;
        var user = catalog.GetUser(name) ?? throw new AtelierException("unknown-user", $"no user named '{name}' (see 'atelier user list')");
        if (user.Owner && what != "re-issue tokens")
            throw new AtelierException("owner", $"'{name}' owns the workspace and stays an enabled admin");
        using var tx = catalog.BeginTransaction();
        apply();
        session.Record(AuditAction.UserChanged, detail, GovernanceSession.Ref("user", name));
        tx.Commit();
    }
}
