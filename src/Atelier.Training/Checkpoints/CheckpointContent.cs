namespace Atelier.Training.Checkpoints;

/// <summary>What one checkpoint holds: a JSON header (run settings, counters) and named binary sections.</summary>
public sealed record CheckpointContent(string HeaderJson, IReadOnlyDictionary<string, byte[]> Sections);
