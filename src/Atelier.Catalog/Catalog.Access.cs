namespace Atelier.Catalog;

/// <summary>A person who works in the workspace; the token itself is never stored, only its SHA-256.</summary>
public sealed record UserRecord(long Id, string Name, string Role, bool Owner, bool Disabled, DateTimeOffset CreatedAt);

public sealed partial class Catalog
{
    public UserRecord AddUser(string name, string role, string tokenSha256, bool owner)
    {
        if (GetUser(name) is not null) throw new AtelierException("user-exists", $"a user named '{name}' already exists");
        var now = DateTimeOffset.UtcNow;
        var id = (long)Scalar("INSERT INTO users(name, role, token_sha256, owner, created_at) VALUES($n, $r, $t, $o, $at) RETURNING id",
            ("$n", name), ("$r", role), ("$t", tokenSha256), ("$o", owner), ("$at", Time(now)))!;
        return new UserRecord(id, name, role, owner, false, now);
    }

    public UserRecord? GetUser(string name) => ReadUsers("WHERE name = $n", ("$n", name)).FirstOrDefault();

    public UserRecord? OwnerUser() => ReadUsers("WHERE owner = 1").FirstOrDefault();

    public IReadOnlyList<UserRecord> ListUsers() => ReadUsers("");

    /// <summary>The stored token digest of an enabled user, or null.</summary>
    public string? UserTokenSha256(string name) => Scalar("SELECT token_sha256 FROM users WHERE name = $n AND disabled = 0", ("$n", name)) as string;

    /// <summary>The stored password hash of an enabled user; null for an unknown or disabled user, or one with no password.</summary>
    public string? UserPasswordHash(string name) =>
        Scalar("SELECT password_hash FROM users WHERE name = $n AND disabled = 0", ("$n", name)) as string;

    public void SetUserPasswordHash(string name, string? passwordHash) =>
        Exec("UPDATE users SET password_hash = $p WHERE name = $n", ("$n", name), ("$p", passwordHash));

    public void UpdateUser(string name, string? role = null, string? tokenSha256 = null, bool? disabled = null) =>
        Exec("UPDATE users SET role = COALESCE($r, role), token_sha256 = COALESCE($t, token_sha256), disabled = COALESCE($d, disabled) WHERE name = $n",
            ("$n", name), ("$r", role), ("$t", tokenSha256), ("$d", disabled));

    private List<UserRecord> ReadUsers(string where, params (string, object?)[] parameters)
    {
        using var cmd = Cmd($"SELECT id, name, role, owner, disabled, created_at FROM users {where} ORDER BY id", parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<UserRecord>();
        while (r.Read()) list.Add(new UserRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4), ParseTime(r.GetString(5))));
        return list;
    }
}
