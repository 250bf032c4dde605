namespace Atelier.Provenance.Credentials;

/// <summary>A file or a manifest that does not parse; its message is the one-line reason a reader reports.</summary>
internal sealed class CredentialFormatException(string reason) : Exception(reason);
