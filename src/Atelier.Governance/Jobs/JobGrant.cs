using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Atelier.Catalog;
using Atelier.Governance.Keys;

namespace Atelier.Governance.Jobs;

/// <summary>
/// The delegation a worker acts under: HMAC-SHA256, under a subkey of the workspace key, of the job's id, kind, arguments, user
/// and time. The studio holds no user's token; the grant lets the worker prove that the studio, on that user's sign-in,
/// asked for exactly this work. A job runs once (it is claimed), so a grant cannot be replayed.
/// </summary>
public static class JobGrant
{
    private const string Purpose = "atelier job grant v1";

    public static string Sign(KeyRing keys, JobRecord job) => $"{keys.Active.Id}:{Mac(keys.Active, job)}";

    /// <summary>Throws a one-line refusal unless <paramref name="job"/> carries a grant made under this workspace's keys for exactly its contents.</summary>
    public static void Verify(KeyRing keys, JobRecord job)
    {
        var parts = job.Grant.Split(':');
        if (parts.Length != 2 || keys.Keys.FirstOrDefault(k => k.Id == parts[0]) is not { } key
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(key, job)), Encoding.ASCII.GetBytes(parts[1])))
            throw new AtelierException("bad-grant", $"job {job.Id} has no valid grant from this workspace's keys; it was not made by the studio, or was changed since");
    }

    private static string Mac(WorkspaceKey key, JobRecord job)
    {
        var text = string.Join('\n', "job", job.Id.ToString(CultureInfo.InvariantCulture), job.Kind, JsonSerializer.Serialize(job.Args), job.User, job.Run ?? "",
            job.CreatedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(HMACSHA256.HashData(key.Derive(Purpose), Encoding.UTF8.GetBytes(text)));
    }
}
