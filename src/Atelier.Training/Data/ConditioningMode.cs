namespace Atelier.Training.Data;

/// <summary>What the networks are told about each image: nothing, one class from a tag category, or all its tags.</summary>
public enum ConditioningMode { None, Category, MultiLabel }
