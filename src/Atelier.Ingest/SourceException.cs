namespace Atelier.Ingest;

/// <summary>A source argument (or mapping) that cannot be opened at all; <see cref="Code"/> is kebab-case, the message one line.</summary>
public sealed class SourceException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
