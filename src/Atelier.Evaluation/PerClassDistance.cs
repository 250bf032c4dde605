using Atelier.Evaluation.Metrics;
using Atelier.Training;
using Atelier.Training.Data;
using Atelier.Training.Runs;

namespace Atelier.Evaluation;

/// <summary>One class of a class-conditioned run: the Fréchet distance of its generated images to the snapshot's images of that class, or why there is none.</summary>
public sealed record ClassFigure(string Label, double? Value, int Generated, int Real, string? Note);

/// <summary>Every class of a class-conditioned run, or (<see cref="Note"/>) why the reference cannot be split by class.</summary>
public sealed record PerClassFigures(string Category, IReadOnlyList<ClassFigure> Classes, string? Note);

/// <summary>
/// Per-class FD for class-conditioned runs: a model that draws one class well and another badly can have a good
/// overall FD; split by class it shows. Generated images carry the class they were drawn for; the reference
/// images carry their class tag in the export the features came from (same order).
/// </summary>
internal static class PerClassDistance
{
    public static PerClassFigures? Compute(DrawnImages drawn, IReadOnlyList<float[]> generated, string referenceExport, string conditioning,
        IReadOnlyList<float[]> real)
    {
        if (drawn.Labels.Mode != ConditioningMode.Category || drawn.Labels.Category is not { } category) return null;
        string[] realClass;
        try
        {
            using var set = TrainingSet.Open(referenceExport, ConditioningRequest.Parse(conditioning), drawn.Resolution);
            if (set.Count != real.Count)
                return new PerClassFigures(category, [], $"the reference export holds {set.Count} images, its features {real.Count}");
            var vector = new float[set.Labels.Dim];
            realClass = new string[set.Count];
            for (int i = 0; i < set.Count; i++)
            {
                set.CopyLabels(i, vector);
                realClass[i] = set.Labels.Labels[Array.IndexOf(vector, 1f)];
            }
        }
        catch (TrainingException e)
        {
            // E.g. --against a snapshot whose images are not all tagged with one class of the category.
            return new PerClassFigures(category, [], $"the reference cannot be split by class: {e.Message}");
        }

        var classes = new List<ClassFigure>(drawn.Labels.Dim);
        for (int c = 0; c < drawn.Labels.Dim; c++)
        {
            string label = drawn.Labels.Labels[c];
            var g = Enumerable.Range(0, generated.Count).Where(i => drawn.Classes[i] == c).Select(i => generated[i]).ToList();
            var r = Enumerable.Range(0, real.Count).Where(i => realClass[i] == label).Select(i => real[i]).ToList();
            classes.Add(g.Count < 2 || r.Count < 2
                ? new ClassFigure(label, null, g.Count, r.Count, "a covariance needs at least 2 images on each side")
                : new ClassFigure(label, FrechetDistance.Compute(GaussianStatistics.Of(FeatureSet.FromRows(r)), GaussianStatistics.Of(FeatureSet.FromRows(g))), g.Count, r.Count, null));
        }
        return new PerClassFigures(category, classes, null);
    }
}
