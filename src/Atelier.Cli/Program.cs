using Atelier.Cli;

// A failure on a background thread (a prefetch or flush worker) would otherwise end the process with a stack trace.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Console.Error.WriteLine(e.ExceptionObject is Exception ex ? CliContext.Unexpected(ex) : "atelier: unexpected error");
    Console.Error.Flush();
    Environment.Exit(1);
};
return AtelierCli.Run(args, CliHost.FromProcess());
