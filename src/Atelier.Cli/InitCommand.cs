using System.CommandLine;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Keys;
using Atelier.Provenance.Credentials;

namespace Atelier.Cli;

public static class InitCommand
{
    public static Command Create(CliContext c)
    {
        var dir = new Argument<string?>("DIR") { Description = "Folder for the new workspace (default: the workspace option, else the current folder)", Arity = ArgumentArity.ZeroOrOne };
        var keyFile = new Option<string?>("--key-file") { Description = $"Keep the workspace key ring here instead of .atelier/{KeyRing.DefaultFileName} (recorded in the config)" };
        var owner = new Option<string?>("--owner") { Description = "Name of the owner, the first admin (default: $USER)" };
        var noSigning = new Option<bool>("--no-signing")
        {
            Description = "Do not issue the workspace CA and signing certificate that samples' content credentials are signed with; " +
                          "bring your own later with `atelier keys init-signing --cert --key` (sample refuses until then)",
        };
        var command = new Command("init", "Create a workspace: catalog, blob store, config, key ring, its owner and its signing certificate") { dir, keyFile, owner, noSigning };
        command.SetAction(parse => c.Guard(() =>
        {
            var target = parse.GetValue(dir) is { } d ? Path.GetFullPath(d, c.Host.CurrentDirectory) : c.WorkspacePath(parse);
            var config = parse.GetValue(keyFile) is { } k ? new WorkspaceConfig { KeyFile = Path.GetFullPath(k, c.Host.CurrentDirectory) } : null;
            var ownerName = parse.GetValue(owner) ?? GovernanceSession.DefaultOwnerName(c.Host.Environment);
            var token = "";
            string? signer = null;
            // Keys, owner and signing identity are made before the workspace is put in place, so that it is never there without them.
            using var workspace = Workspace.Init(target, config,
                setUp: building =>
                {
                    var (governance, ownerToken) = GovernanceSession.Initialize(building, ownerName, c.Host.Environment);
                    token = ownerToken;
                    if (parse.GetValue(noSigning)) return;
                    using var identity = SigningIdentity.Initialize(governance, DateTimeOffset.UtcNow);
                    signer = identity.Certificate.Subject;
                },
                notice: note => c.Host.Error.WriteLine($"atelier: {note}"));
            var session = GovernanceSession.Open(workspace, c.Host.Environment);
            if (c.Json(parse))
                c.WriteJson(new
                {
                    workspace = workspace.Root, catalog = workspace.Catalog.DatabasePath, schemaVersion = workspace.Catalog.SchemaVersion,
                    keyRing = session.Keys.FilePath, owner = ownerName, ownerToken = token,
                    signingCertificate = signer, trustAnchors = signer is null ? null : SigningIdentity.AnchorsPathIn(workspace),
                });
            else
            {
                c.Host.Out.WriteLine($"Created workspace {workspace.Root}");
                c.Host.Out.WriteLine($"  key ring  {session.Keys.FilePath ?? KeyRing.KeyVariable} (keep it safe: personal data and the audit log depend on it)");
                c.Host.Out.WriteLine($"  owner     {ownerName} (admin); token {token} (shown once; needed with --as {ownerName})");
                c.Host.Out.WriteLine(signer is null
                    ? "  signing   none yet: samples need one; run `atelier keys init-signing` (or bring yours with --cert/--key)"
                    : $"  signing   '{signer}', issued by the workspace CA; validators trust {SigningIdentity.AnchorsPathIn(workspace)}");
            }
            return 0;
        }));
        return command;
    }
}
