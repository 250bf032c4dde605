using System.Diagnostics;
using Atelier.Catalog;

namespace Atelier.Ingest.Pipeline;

/// <summary>
/// Commits work results in batches, each only once the blobs its rows point at are durable. A batch's
/// flush (one syncfs) runs in the background while the next batch gathers, so neither the writer nor
/// the workers wait on the disk; one flush is in flight at a time, which bounds what is held in memory.
/// A killed ingest loses at most the batches not yet committed, which the next run redoes.
/// </summary>
internal sealed class BatchCommitter(Workspace workspace, IngestWriter writer, RunState state, IProgress<IngestProgress>? progress)
{
    // Many small images per commit: each commit costs a flush of the file system, whatever its size.
    private const int MaxBatch = 1024;
    private static readonly TimeSpan MaxBatchAge = TimeSpan.FromMilliseconds(500);

    private readonly Stopwatch _age = Stopwatch.StartNew();
    private List<WorkResult> _gathering = [];
    private List<WorkResult> _flushing = [];
    private Task? _flush;

    /// <summary>Takes the next result in source order; the worker has already written its blobs.</summary>
    public async Task AddAsync(WorkResult result)
    {
        _gathering.Add(result);
        if (_flush is { IsCompleted: true }) CommitFlushed();
        if (_gathering.Count >= MaxBatch || _age.Elapsed > MaxBatchAge) await StartFlushAsync();
    }

    /// <summary>Commits everything taken so far.</summary>
    public async Task CompleteAsync()
    {
        if (_gathering.Count > 0) await StartFlushAsync();
        if (_flush is not null)
        {
            await _flush;
            CommitFlushed();
        }
    }

    private async Task StartFlushAsync()
    {
        if (_flush is not null)
        {
            await _flush;
            CommitFlushed();
        }

        // Every blob of the gathered results was written before its result arrived here, so a flush
        // started now covers them all.
        (_flushing, _gathering) = (_gathering, []);
        _flush = Task.Run(workspace.Blobs.Flush);
        _age.Restart();
    }

    private void CommitFlushed()
    {
        _flush!.GetAwaiter().GetResult(); // a failed flush (a full disk) fails the ingest here
        using (var batch = workspace.Catalog.BeginTransaction())
        {
            foreach (var result in _flushing)
            {
                writer.Store(result);
                progress?.Report(new IngestProgress(state.Seen, state.Added, state.ExactDuplicates, state.RejectedTotal, result.Origin));
            }

            // The writer stores blobs itself in one rare case (a SHA-256 prefix collision): make those durable too.
            if (state.WriterStoredBlobs)
            {
                workspace.Blobs.Flush();
                state.WriterStoredBlobs = false;
            }

            batch.Commit();
        }

        (_flush, _flushing) = (null, []);
    }
}
