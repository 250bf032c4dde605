using System.CommandLine;
using Atelier.Catalog;

namespace Atelier.Cli;

/// <summary>The <c>atelier</c> command line: a thin shell that parses arguments and calls the stages.</summary>
public static class AtelierCli
{
    public static int Run(string[] args, CliHost host)
    {
        var context = new CliContext(host);
        var root = new RootCommand("Atelier: from a pile of images to a trained image generator, with every step accounted for.");
        root.Options.Add(context.WorkspaceOption);
        root.Options.Add(context.JsonOption);
        root.Options.Add(context.AsOption);
        root.Options.Add(context.TokenOption);
        foreach (var command in Commands(context)) root.Subcommands.Add(command);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is null or System.CommandLine.Invocation.ParseErrorAction)
        {
            var command = parse.CommandResult.Command == root ? "atelier" : $"atelier {parse.CommandResult.Command.Name}";
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            host.Error.WriteLine($"atelier: {CliContext.OneLine(error.Message.Replace('\t', ' '))} (see '{command} --help')");
            return 2;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = host.Out, Error = host.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // Commands run their bodies under CliContext.Guard; this catches what escapes outside one.
            host.Error.WriteLine(CliContext.Unexpected(e));
            return 1;
        }
    }

    private static IEnumerable<Command> Commands(CliContext c) =>
    [
        InitCommand.Create(c),
        IngestCommand.Create(c),
        CurationCommands.Curate(c),
        CurationCommands.Exclude(c, exclude: true),
        CurationCommands.Exclude(c, exclude: false),
        TagCommands.Create(c),
        TagCommands.Rate(c),
        ConsentCommands.Subject(c),
        ConsentCommands.Consent(c),
        ImagesCommands.Create(c),
        ReportCommand.Create(c),
        DatasetCommands.Create(c),
        PolicyCommands.Create(c),
        TrainingCommands.Train(c),
        TrainingCommands.Sample(c),
        TrainingCommands.ExportModel(c),
        TrainingCommands.Runs(c),
        EvalCommand.Create(c),
        CostCommands.Create(c),
        GovernanceCommands.Lineage(c),
        GovernanceCommands.Audit(c),
        BlocklistCommands.Blocklist(c),
        BlocklistCommands.Quarantine(c),
        GovernanceCommands.User(c),
        StudioCommand.Create(c),
        JobCommands.Create(c),
        ConsentCommands.Keys(c),
        VerifyCommand.Create(c),
    ];
}
