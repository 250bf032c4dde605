namespace Atelier.Catalog;

/// <summary>
/// A failure the user can act on: the CLI prints <see cref="Exception.Message"/> as one line and
/// exits non-zero. <see cref="Code"/> is a stable kebab-case reason for scripts and tests.
/// </summary>
public class AtelierException(string code, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Code { get; } = code;
}
