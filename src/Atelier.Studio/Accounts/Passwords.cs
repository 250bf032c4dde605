using Atelier.Catalog;
using Microsoft.AspNetCore.Identity;

namespace Atelier.Studio.Accounts;

/// <summary>
/// Sign-in passwords, hashed with ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2 with HMAC-SHA512, a salt
/// per password, in its versioned format). The catalog stores only the hash.
/// </summary>
public static class Passwords
{
    public const int MinimumLength = 10;
    private static readonly PasswordHasher<string> Hasher = new();

    /// <summary>The hash to store; a one-line refusal for a password too short to be one.</summary>
    public static string Hash(string userName, string password)
    {
        if (password.Length < MinimumLength)
            throw new AtelierException("weak-password", $"a password needs at least {MinimumLength} characters");
        return Hasher.HashPassword(userName, password);
    }

    /// <summary>Whether <paramref name="password"/> is the one <paramref name="hash"/> was made from.</summary>
    public static bool Verify(string userName, string? hash, string password)
    {
        if (hash is null)
        {
            // Same work as a real check, so that a missing user or password cannot be told apart by timing.
            Hasher.VerifyHashedPassword(userName, DecoyHash, password);
            return false;
        }
        try
        {
            return Hasher.VerifyHashedPassword(userName, hash, password) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static readonly string DecoyHash = Hasher.HashPassword("", Guid.NewGuid().ToString());
}
