using System.CommandLine;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Keys;

namespace Atelier.Cli;

public static class InitCommand
{
    public static Command Create(CliContext c)
    {
        var dir = new Argument<string?>("DIR") { Description = "Folder for the new workspace (default: the workspace option, else the current folder)", Arity = ArgumentArity.ZeroOrOne };
        var keyFile = new Option<string?>("--key-file") { Description = $"Keep the workspace key ring here instead of .atelier/{KeyRing.DefaultFileName} (recorded in the config)" };
        var owner = new Option<string?>("--owner") { Description = "Name of the owner, the first admin (default: $USER)" };
        var command = new Command("init", "Create a workspace: catalog, blob store, config, key ring and its owner") { dir, keyFile, owner };
        command.SetAction(parse => c.Guard(() =>
        {
            var target = parse.GetValue(dir) is { } d ? Path.GetFullPath(d, c.Host.CurrentDirectory) : c.WorkspacePath(parse);
            var config = parse.GetValue(keyFile) is { } k ? new WorkspaceConfig { KeyFile = Path.GetFullPath(k, c.Host.CurrentDirectory) } : null;
            var ownerName = parse.GetValue(owner) ?? GovernanceSession.DefaultOwnerName(c.Host.Environment);
            var token = "";
            // Keys and owner are made before the workspace is put in place, so that it is never there without them.
            using var workspace = Workspace.Init(target, config,
                setUp: building => token = GovernanceSession.Initialize(building, ownerName, c.Host.Environment).OwnerToken,
                notice: note => c.Host.Error.WriteLine($"atelier: {note}"));
            var session = GovernanceSession.Open(workspace, c.Host.Environment);
            if (c.Json(parse))
                c.WriteJson(new
                {
                    workspace = workspace.Root, catalog = workspace.Catalog.DatabasePath, schemaVersion = workspace.Catalog.SchemaVersion,
                    keyRing = session.Keys.FilePath, owner = ownerName, ownerToken = token,
                });
            else
            {
                c.Host.Out.WriteLine($"Created workspace {workspace.Root}");
                c.Host.Out.WriteLine($"  key ring  {session.Keys.FilePath ?? KeyRing.KeyVariable} (keep it safe: personal data and the audit log depend on it)");
                c.Host.Out.WriteLine($"  owner     {ownerName} (admin); token {token} (shown once; needed with --as {ownerName})");
            }
            return 0;
        }));
        return command;
    }
}
