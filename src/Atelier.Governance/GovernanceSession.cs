using System.Runtime.CompilerServices;
using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Consent;
using Atelier.Governance.Keys;

namespace Atelier.Governance;

/// <summary>
/// Governance for one open workspace: who is acting, the workspace keys, the audit log, users and
/// the consent ledger. The CLI opens one per command (<see cref="Open"/>) and every stage reaches it
/// through <see cref="For"/>, so that each stage's governance checks and audit entries name the same actor.
/// </summary>
public sealed class GovernanceSession
{
    private static readonly ConditionalWeakTable<Workspace, GovernanceSession> Sessions = new();

    public Workspace Workspace { get; }
    public Actor Actor { get; }
    public KeyRing Keys { get; private set; }
    public Sealer Sealer { get; private set; }
    public AuditLog Audit { get; private set; }
    public Users Users { get; }
    public ConsentLedger Consent { get; }
    public string AuditHeadPath => Path.Combine(Workspace.DataDirectory, "audit.head");

    private GovernanceSession(Workspace workspace, KeyRing keys, Func<GovernanceSession, Actor> actor)
    {
        Workspace = workspace;
        Keys = keys;
        Sealer = new Sealer(keys);
        Audit = new AuditLog(workspace.Catalog, keys, AuditHeadPath);
        Users = new Users(workspace.Catalog);
        Consent = new ConsentLedger(this);
        Actor = actor(this);
    }

    /// <summary>
    /// Sets up governance in a new workspace: a fresh key ring (at <paramref name="keyFile"/> or the
    /// default place) and the owner, an admin. Returns the session and the owner's token (shown once).
    /// </summary>
    public static (GovernanceSession Session, string OwnerToken) Initialize(Workspace workspace, string ownerName, Func<string, string?> environment)
    {
        KeyRing keys;
        try
        {
            keys = KeyRing.Exists(workspace, environment)
                ? KeyRing.Load(workspace, environment)
                : KeyRing.Create(KeyRing.DefaultPath(workspace, environment));
        }
        catch (AtelierException e) when (e.Code == "key-exists")
        {
            // Another init sharing this key file (--key-file, ATELIER_KEY_FILE) created it a moment ago: use it, as an init after it would.
            keys = KeyRing.Load(workspace, environment);
        }
        string token;
        using (var tx = workspace.Catalog.BeginTransaction())
        {
            (_, token) = new Users(workspace.Catalog).Add(ownerName, Role.Admin, owner: true);
            tx.Commit();
        }
        var session = new GovernanceSession(workspace, keys, s => s.Users.Owner());
        session.Record(AuditAction.WorkspaceCreated, new { owner = ownerName, keyId = keys.Active.Id });
        Sessions.AddOrUpdate(workspace, session);
        return (session, token);
    }

    /// <summary>
    /// Opens governance for a command. With no user named, the owner acts; a named user must bring
    /// their token. A workspace made before governance existed is set up on first use.
    /// </summary>
    public static GovernanceSession Open(Workspace workspace, Func<string, string?> environment, string? userName = null, string? token = null)
    {
        if (!KeyRing.Exists(workspace, environment) && workspace.Catalog.AuditCount == 0 && workspace.Catalog.ListSubjects().Count == 0
            && workspace.Catalog.OwnerUser() is null)
            Initialize(workspace, DefaultOwnerName(environment), environment);
        var keys = KeyRing.Load(workspace, environment);
        if (workspace.Catalog.OwnerUser() is null)
            throw new AtelierException("no-owner", "this workspace has keys but no owner user; it was damaged or only partly set up");
        var session = new GovernanceSession(workspace, keys,
            s => string.IsNullOrEmpty(userName) ? s.Users.Owner() : s.Users.Authenticate(userName, token));
        Sessions.AddOrUpdate(workspace, session);
        return session;
    }

    /// <summary>
    /// Opens governance for a user whom the caller has authenticated itself (the studio, after a password sign-in): the user's
    /// current role acts; an unknown or disabled user is refused.
    /// </summary>
    public static GovernanceSession OpenAs(Workspace workspace, Func<string, string?> environment, string userName)
    {
        var keys = KeyRing.Load(workspace, environment);
        var session = new GovernanceSession(workspace, keys, s =>
            s.Workspace.Catalog.GetUser(userName) is { Disabled: false } user
                ? Users.ActorOf(user)
                : throw new AtelierException("bad-user", $"no enabled user '{userName}'"));
        Sessions.AddOrUpdate(workspace, session);
        return session;
    }

    /// <summary>The session a stage runs under: the one the CLI opened, else the owner's with the process environment.</summary>
    public static GovernanceSession For(Workspace workspace) =>
        Sessions.TryGetValue(workspace, out var session) ? session : Open(workspace, Environment.GetEnvironmentVariable);

    public static string DefaultOwnerName(Func<string, string?> environment) =>
        environment("USER") is { Length: > 0 } user && !user.Any(char.IsWhiteSpace) ? user : "owner";

    /// <summary>Appends an audit entry in the acting user's name.</summary>
    public AuditRow Record(string action, object detail, params AuditRef[] refs) => Audit.Append(Actor, action, detail, refs);

    /// <summary>Switches to a rotated key ring (after <see cref="KeyRing.Rotate"/>).</summary>
    internal void UseKeys(KeyRing keys)
    {
        Keys = keys;
        Sealer = new Sealer(keys);
        Audit = new AuditLog(Workspace.Catalog, keys, AuditHeadPath);
    }

    public static AuditRef Image(long id) => new("image", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    public static AuditRef Ref(string kind, object id) => new(kind, Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture)!);
}
