namespace Atelier.Training.Checkpoints;

/// <summary>A checkpoint on disk: where, after how many images, its file SHA-256 and its score (lower is better).</summary>
public sealed record SavedCheckpoint(string Path, long ImagesSeen, string Sha256, double? Score);
