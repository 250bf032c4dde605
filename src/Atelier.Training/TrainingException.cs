namespace Atelier.Training;

/// <summary>A refusal from the training engine: a stable reason code plus a one-line message.</summary>
public sealed class TrainingException(string code, string message) : Exception(message) { public string Code { get; } = code; }
