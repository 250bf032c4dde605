using System.CommandLine;
using Atelier.Catalog;
using Atelier.Studio;
using Atelier.Studio.Jobs;

namespace Atelier.Cli;

/// <summary>`atelier studio`: serves the web studio over the workspace until Ctrl+C.</summary>
public static class StudioCommand
{
    public static Command Create(CliContext c)
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free port)", DefaultValueFactory = _ => StudioOptions.DefaultPort };
        var bind = new Option<string>("--bind")
        {
            Description = "Address to listen on: loopback unless told otherwise (0.0.0.0 opens it to the network)",
            DefaultValueFactory = _ => StudioOptions.DefaultBind,
        };
        var command = new Command("studio", "Serve Atelier Studio, the web app for browsing, tagging and rating, to signed-in workspace users") { port, bind };
        command.SetAction(parse => c.Guard(() =>
        {
            var options = new StudioOptions(c.WorkspacePath(parse), parse.GetValue(bind)!, parse.GetValue(port)) { Worker = Worker(c.Host) };
            using var app = StudioApp.Build(options, c.Host.Environment, c.Host.Error);
            try
            {
                app.StartAsync(c.Host.Cancellation).GetAwaiter().GetResult();
            }
            catch (IOException e)
            {
                throw new AtelierException("cannot-listen", $"cannot listen on {options.Bind}:{options.Port}: {e.GetBaseException().Message}");
            }
            var address = StudioApp.Address(app);
            c.Host.Out.WriteLine($"Atelier Studio on {address} for the workspace {options.WorkspacePath}{(options.IsLoopback ? "" : " (reachable from the network)")}; Ctrl+C stops it");
            c.Host.Out.Flush();
            // Ctrl+C reaches the CLI's token; SIGTERM (a service manager, `docker stop`) reaches the host's stopping token.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(c.Host.Cancellation, app.Lifetime.ApplicationStopping);
            try { Task.Delay(Timeout.Infinite, stop.Token).GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { }
            app.StopAsync().GetAwaiter().GetResult();
            c.Host.Out.WriteLine("Atelier Studio stopped");
            return 0;
        }));
        return command;
    }

    /// <summary>
    /// This CLI, as the studio's worker for long work: <c>dotnet atelier.dll</c> (the host that runs this process where that
    /// is dotnet, else the one named by DOTNET_HOST_PATH, else dotnet on the PATH).
    /// </summary>
    private static StudioWorker Worker(CliHost host)
    {
        var self = Environment.ProcessPath;
        var dotnet = self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self
            : host.Environment("DOTNET_HOST_PATH") is { Length: > 0 } named ? named
            : "dotnet";
        return new StudioWorker(dotnet, [typeof(AtelierCli).Assembly.Location]);
    }
}
