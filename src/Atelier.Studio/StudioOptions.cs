using System.Net;
using Atelier.Catalog;
using Atelier.Studio.Jobs;

namespace Atelier.Studio;

/// <summary>
/// How the studio is served: the workspace, the address it listens on (loopback unless told otherwise) and the port (0: any
/// free one, for tests). <see cref="Check"/> is the one place these are checked.
/// </summary>
public sealed record StudioOptions(string WorkspacePath, string Bind = StudioOptions.DefaultBind, int Port = StudioOptions.DefaultPort)
{
    public const string DefaultBind = "127.0.0.1";

    /// <summary>The window sign-in attempts are counted in (tests lengthen it, so that a slow machine cannot open a new one mid-test).</summary>
    public TimeSpan SignInWindow { get; init; } = TimeSpan.FromMinutes(1);
    public const int DefaultPort = 5080;

    /// <summary>The command that runs a job (<c>atelier job run ID</c>); null: this studio starts no long work.</summary>
    public StudioWorker? Worker { get; init; }

    /// <summary>The address to listen on; a one-line refusal for anything that is not an IP address or a port outside 0..65535.</summary>
    public IPAddress Check()
    {
        if (Port is < 0 or > 65535) throw new AtelierException("bad-port", $"port {Port} is outside 0..65535");
        var text = Bind.Trim();
        if (text.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        return IPAddress.TryParse(text, out var address)
            ? address
            : throw new AtelierException("bad-bind", $"--bind '{Bind}' is not an IP address (use 127.0.0.1, ::1, or 0.0.0.0 to listen on every interface)");
    }

    public bool IsLoopback => IPAddress.IsLoopback(Check());
}
