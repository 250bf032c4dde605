using Atelier.Catalog;

namespace Atelier.Training.Runs;

/// <summary>Where a run keeps its files inside the workspace: .atelier/runs/NAME/.</summary>
public sealed class RunFolder
{
    public RunFolder(Workspace workspace, string runName)
    {
        if (runName.Length == 0 || runName.Length > 100 || runName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || runName.StartsWith('.'))
            throw new TrainingException("bad-run-name", $"run name '{runName}' must be 1-100 letters, digits, '-', '_' or '.', not starting with '.'");
        Root = workspace.RunDirectory(runName);
    }

    public string Root { get; }
    public string Checkpoints => Path.Combine(Root, "checkpoints");
    public string Grids => Path.Combine(Root, "grids");
    public string LossPlot => Path.Combine(Root, "loss.png");
    public string Config => Path.Combine(Root, "config.json");

    /// <summary>grid-000012.345kimg.png: to the image, so snapshots closer than 0.1 kimg keep a grid each.</summary>
    public static string GridFileName(long images) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"grid-{images / 1000.0:000000.000}kimg.png");

    /// <summary>Held by the one process training this run (released by the system if it dies); a second one is refused.</summary>
    public IDisposable LockForTraining() =>
        FileLock.TryTake(Path.Combine(Root, "train.lock"))
        ?? throw new TrainingException("run-busy", $"run '{Path.GetFileName(Root)}' is being trained by another process; wait for it to finish (or stop it) first");

    public void Create()
    {
        Directory.CreateDirectory(Checkpoints);
        Directory.CreateDirectory(Grids);
    }
}
