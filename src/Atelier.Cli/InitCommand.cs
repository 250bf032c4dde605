using System.CommandLine;
using Atelier.Catalog;

namespace Atelier.Cli;

public static class InitCommand
{
    public static Command Create(CliContext c)
    {
        var dir = new Argument<string?>("DIR") { Description = "Folder for the new workspace (default: the workspace option, else the current folder)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("init", "Create a workspace: catalog, blob store and config") { dir };
        command.SetAction(parse => c.Guard(() =>
        {
            var target = parse.GetValue(dir) is { } d ? Path.GetFullPath(d, c.Host.CurrentDirectory) : c.WorkspacePath(parse);
            using var workspace = Workspace.Init(target);
            if (c.Json(parse)) c.WriteJson(new { workspace = workspace.Root, catalog = workspace.Catalog.DatabasePath, schemaVersion = workspace.Catalog.SchemaVersion });
            else c.Host.Out.WriteLine($"Created workspace {workspace.Root}");
            return 0;
        }));
        return command;
    }
}
