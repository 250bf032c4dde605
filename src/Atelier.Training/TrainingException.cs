namespace Atelier.Training;

public sealed class TrainingException(string code, string message) : Exception(message) { public string Code { get; } = code; }
