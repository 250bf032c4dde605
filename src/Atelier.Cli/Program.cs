using Atelier.Cli;

return AtelierCli.Run(args, CliHost.FromProcess());
