using System.CommandLine;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Blocklists;

namespace Atelier.Cli;

/// <summary><c>blocklist import|list</c> and <c>quarantine list</c>: thin shells over Atelier.Governance.Blocklists.</summary>
public static class BlocklistCommands
{
    public static Command Blocklist(CliContext c)
    {
        var file = new Argument<string>("FILE") { Description = "One hex hash a line; blank lines and # comments allowed" };
        var kind = new Option<string>("--kind") { Description = "pdq, sha256 or md5", Required = true };
        kind.AcceptOnlyFromAmong("pdq", "sha256", "md5");
        var name = new Option<string>("--name") { Description = "The list's name", Required = true };
        var version = new Option<string>("--version") { Description = "The list's version (name and version together are unique)", Required = true };
        var signature = new Option<string>("--signature") { Description = "Detached signature of FILE (raw bytes or base64); needs --public-key" };
        var publicKey = new Option<string>("--public-key") { Description = "PEM public key (ECDSA P-256/P-384, RSA or Ed25519) that signed FILE" };
        var import = new Command("import", "Import a hash blocklist (admin) and quarantine every catalog image it matches")
        {
            file, kind, name, version, signature, publicKey,
        };
        import.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var result = new BlocklistImporter(GovernanceSession.For(ws)).Import(new BlocklistImportRequest(
                FullPath(c, parse.GetValue(file)!), BlocklistKinds.Parse(parse.GetValue(kind)!), parse.GetValue(name)!, parse.GetValue(version)!,
                parse.GetValue(signature) is { } s ? FullPath(c, s) : null, parse.GetValue(publicKey) is { } k ? FullPath(c, k) : null));
            if (c.Json(parse))
            {
                c.WriteJson(new
                {
                    list = ListView(result.List), result.Screened, result.Md5Computed, quarantined = result.Quarantined.Select(QuarantineView),
                    tainted = result.Tainted,
                });
                return 0;
            }
            var l = result.List;
            c.Host.Out.WriteLine($"Imported blocklist {l.Name} {l.Version}: {l.Entries} {l.Kind} hashes{(l.Signer is null ? " (unsigned)" : $", signed by {l.Signer}")}");
            c.Host.Out.WriteLine($"  screened      {result.Screened} images{(result.Md5Computed > 0 ? $" ({result.Md5Computed} MD5s computed from blobs)" : "")}");
            c.Host.Out.WriteLine($"  quarantined   {result.Quarantined.Count}");
            if (result.Tainted.Snapshots + result.Tainted.Runs + result.Tainted.Checkpoints > 0)
                c.Host.Out.WriteLine($"  tainted       {result.Tainted.Snapshots} snapshots, {result.Tainted.Runs} runs, {result.Tainted.Checkpoints} checkpoints");
            return 0;
        }));

        var list = new Command("list", "Imported blocklists");
        list.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var all = new BlocklistImporter(GovernanceSession.For(ws)).List();
            if (c.Json(parse)) c.WriteJson(new { blocklists = all.Select(ListView) });
            else if (all.Count == 0) c.Host.Out.WriteLine("no blocklists imported");
            else
                foreach (var l in all)
                    c.Host.Out.WriteLine($"{l.Id,4}  {l.Name,-24} {l.Version,-12} {l.Kind,-6} {l.Entries,9} hashes  {l.Signer ?? "unsigned",-28} {l.ImportedAt:u} by {l.ImportedBy}");
            return 0;
        }));

        return new Command("blocklist", "Hash blocklists: what may never be listed, shown, snapshotted, exported or trained on") { import, list };
    }

    public static Command Quarantine(CliContext c)
    {
        var list = new Command("list", "What is in quarantine (reviewer or admin): metadata only, never pixels");
        list.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var all = new Governance.Blocklists.Quarantine(GovernanceSession.For(ws)).List();
            if (c.Json(parse)) c.WriteJson(new { quarantine = all.Select(QuarantineView) });
            else if (all.Count == 0) c.Host.Out.WriteLine("nothing in quarantine");
            else
                foreach (var q in all)
                    c.Host.Out.WriteLine($"{q.Id,5}  sha256 {q.Sha256[..16]}  {q.ListName} {q.ListVersion} ({q.ListKind}, {Distance(q.Distance)})  " +
                                         $"{(q.ImageId is { } id ? $"image {id}" : "stopped at ingest")}  {q.Origin ?? "-"}  {q.QuarantinedAt:u}");
            return 0;
        }));
        return new Command("quarantine", "Files taken out of reach by a blocklist") { list };
    }

    private static string FullPath(CliContext c, string path) => Path.GetFullPath(path, c.Host.CurrentDirectory);

    private static string Distance(int? d) => d is { } v ? "distance " + v.ToString(CultureInfo.InvariantCulture) : "exact";

    private static object ListView(BlocklistRecord l) =>
        new { l.Id, l.Name, l.Version, l.Kind, l.Entries, l.FileSha256, l.Signer, l.ImportedBy, l.ImportedAt };

    // The sealed blob's id stays out: nothing here leads to the bytes.
    private static object QuarantineView(QuarantineRecord q) =>
        new
        {
            q.Id, q.ImageId, Sha256Prefix = q.Sha256[..16], List = q.ListName, Version = q.ListVersion, Kind = q.ListKind, q.Distance, q.Origin, q.Source,
            q.QuarantinedBy, q.QuarantinedAt,
        };
}
