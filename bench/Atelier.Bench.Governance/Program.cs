// Audit log costs and the signature choice behind it (docs/decisions/0003-audit-signatures.md):
//   dotnet run -c Release --project bench/Atelier.Bench.Governance -- [entries=100000] [reps=5]
// 1. HMAC-SHA256 (what the audit log uses) against Ed25519 (BouncyCastle) over one entry hash: sign + verify.
// 2. The real log on a real SQLite file: appending entries one command at a time (a transaction and
//    head-file write each), and `audit verify` over the whole chain.
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Audit;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

var entries = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var reps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
static double Median(List<double> xs) { xs.Sort(); return xs[xs.Count / 2]; }

// --- 1. signature primitives over a 64-hex-character entry hash -----------------------------------
var hash = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData("entry"u8)));
var macKey = RandomNumberGenerator.GetBytes(32);
var edPrivate = new Ed25519PrivateKeyParameters(new SecureRandom());
var edPublic = edPrivate.GeneratePublicKey();
const int ops = 20_000;
var hmacSign = new List<double>(); var hmacVerify = new List<double>(); var edSign = new List<double>(); var edVerify = new List<double>();
for (var r = 0; r < reps; r++)
{
    var sw = Stopwatch.StartNew();
    byte[] mac = [];
    for (var i = 0; i < ops; i++) mac = HMACSHA256.HashData(macKey, hash);
    hmacSign.Add(sw.Elapsed.TotalMicroseconds / ops);
    sw.Restart();
    for (var i = 0; i < ops; i++) if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(macKey, hash), mac)) throw new InvalidOperationException();
    hmacVerify.Add(sw.Elapsed.TotalMicroseconds / ops);
    sw.Restart();
    byte[] sig = [];
    for (var i = 0; i < ops / 10; i++)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, edPrivate);
        signer.BlockUpdate(hash, 0, hash.Length);
        sig = signer.GenerateSignature();
    }
    edSign.Add(sw.Elapsed.TotalMicroseconds / (ops / 10));
    sw.Restart();
    for (var i = 0; i < ops / 10; i++)
    {
        var verifier = new Ed25519Signer();
        verifier.Init(false, edPublic);
        verifier.BlockUpdate(hash, 0, hash.Length);
        if (!verifier.VerifySignature(sig)) throw new InvalidOperationException();
    }
    edVerify.Add(sw.Elapsed.TotalMicroseconds / (ops / 10));
}
Console.WriteLine($"per entry hash, median of {reps}: HMAC-SHA256 sign {Median(hmacSign):0.00} us, verify {Median(hmacVerify):0.00} us; " +
                  $"Ed25519 (BouncyCastle) sign {Median(edSign):0.0} us, verify {Median(edVerify):0.0} us; " +
                  $"verify ratio Ed25519/HMAC {Median(edVerify) / Median(hmacVerify):0}x");

// --- 2. the real audit log -------------------------------------------------------------------------
var dir = Directory.CreateTempSubdirectory("atelier-bench-audit-").FullName;
try
{
    using var ws = Workspace.Init(dir);
    var (session, _) = GovernanceSession.Initialize(ws, "bench", _ => null);
    // One command, one entry: each in its own transaction, as the CLI does.
    const int single = 500;
    var appendTimes = new List<double>();
    for (var r = 0; r < reps; r++)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < single / reps; i++)
            session.Record(AuditAction.Rate, new { rating = "general", images = 1 }, GovernanceSession.Image(i));
        appendTimes.Add(sw.Elapsed.TotalMilliseconds / (single / reps));
    }
    // Bulk: fill the chain to the requested size inside transactions of 10,000.
    while (ws.Catalog.AuditCount < entries)
    {
        using var tx = ws.Catalog.BeginTransaction();
        for (var i = 0; i < 10_000 && ws.Catalog.AuditCount < entries; i++)
            session.Record(AuditAction.Rate, new { rating = "general", images = 1 }, GovernanceSession.Image(i));
        tx.Commit();
    }
    var verifyTimes = new List<double>();
    AuditVerification? v = null;
    for (var r = 0; r < reps; r++)
    {
        var sw = Stopwatch.StartNew();
        v = session.Audit.Verify();
        verifyTimes.Add(sw.Elapsed.TotalSeconds);
    }
    if (v is not { Intact: true }) throw new InvalidOperationException("the bench chain does not verify: " + v?.Problem);
    Console.WriteLine($"audit log: append one entry per command {Median(appendTimes):0.00} ms (median of {reps}); " +
                      $"verify {v.Entries:N0} entries {Median(verifyTimes):0.00} s (median of {reps}), {v.Entries / Median(verifyTimes):N0} entries/s; " +
                      $"catalog {new FileInfo(ws.Catalog.DatabasePath).Length / 1048576.0:0.0} MiB");
}
finally
{
    Directory.Delete(dir, recursive: true);
}
