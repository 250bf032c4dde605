using System.Security.Cryptography;
using System.Text;
using Atelier.Catalog;

namespace Atelier.Governance.Access;

/// <summary>The workspace's users and their tokens. Tokens are shown once, at creation; the catalog keeps only their SHA-256.</summary>
public sealed class Users(Catalog.Catalog catalog)
{
    /// <summary>Adds a user; returns the record and the token to hand to them.</summary>
    public (UserRecord User, string Token) Add(string name, Role role, bool owner = false)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new AtelierException("bad-user", $"'{name}' is not a usable user name (1-64 characters, no spaces)");
        var token = NewToken();
        return (catalog.AddUser(name, role.Name(), Digest(token), owner), token);
    }

    /// <summary>The actor for <paramref name="name"/> if <paramref name="token"/> is theirs; a one-line refusal otherwise.</summary>
    public Actor Authenticate(string name, string? token)
    {
        if (string.IsNullOrEmpty(token))
            throw new AtelierException("no-token", $"acting as '{name}' needs that user's token (set ATELIER_TOKEN or pass --token)");
        var stored = catalog.UserTokenSha256(name);
        // Compare digests in constant time; an unknown or disabled user gets the same answer as a wrong token.
        if (stored is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored), Encoding.ASCII.GetBytes(Digest(token))))
            throw new AtelierException("bad-token", $"no enabled user '{name}' with that token");
        return ActorOf(catalog.GetUser(name)!);
    }

    /// <summary>The workspace owner (the admin made at init), who acts when no user is named.</summary>
    public Actor Owner() =>
        catalog.OwnerUser() is { } owner ? ActorOf(owner) : throw new AtelierException("no-owner", "this workspace has no owner user");

    public string ResetToken(string name)
    {
        _ = catalog.GetUser(name) ?? throw new AtelierException("unknown-user", $"no user named '{name}'");
        var token = NewToken();
        catalog.UpdateUser(name, tokenSha256: Digest(token));
        return token;
    }

    public static Actor ActorOf(UserRecord user) => new(user.Name, Roles.Parse(user.Role));

    private static string NewToken() => "atl_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private static string Digest(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
