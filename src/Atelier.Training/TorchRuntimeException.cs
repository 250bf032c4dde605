using Atelier.Catalog;

namespace Atelier.Training;

/// <summary>TorchSharp's native library cannot be made loadable here; the message says why in one line.</summary>
public sealed class TorchRuntimeException(string reason, string message, Exception? inner = null)
    : AtelierException(reason, $"{reason}: {message}", inner)
{
    /// <summary>Short machine-readable code, e.g. "library-missing", "unpatchable", "in-nuget-cache".</summary>
    public string Reason => Code;
}
