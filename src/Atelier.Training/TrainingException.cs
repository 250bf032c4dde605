using Atelier.Catalog;

namespace Atelier.Training;

/// <summary>A refusal from the training engine: a stable reason code plus a one-line message (the CLI prints it as one line).</summary>
public sealed class TrainingException(string code, string message) : AtelierException(code, message);
