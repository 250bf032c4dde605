using Atelier.Catalog;

namespace Atelier.Evaluation;

/// <summary>A refusal from evaluation: a stable reason code plus a one-line message (the CLI prints it as one line).</summary>
public sealed class EvaluationException(string code, string message) : AtelierException(code, message);
