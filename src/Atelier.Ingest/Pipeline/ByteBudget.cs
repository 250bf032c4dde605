namespace Atelier.Ingest.Pipeline;

/// <summary>
/// Bounds how many bytes of file content are in flight between the sources and the catalog writer, so that
/// large camera files cannot pile up in the queues (64 queued 20 MB files would be over a gigabyte) while
/// small images still flow many at a time. A single file larger than the whole budget is let through alone.
/// Takers wait in arrival order, and <see cref="Give"/> lets in those that now fit before it returns.
/// </summary>
internal sealed class ByteBudget(long limit)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Taken)> _waiting = new();
    private long _inFlight;

    public long InFlight { get { lock (_gate) return _inFlight; } }

    /// <summary>Waits until <paramref name="bytes"/> more fit (or nothing else is in flight), then takes them.</summary>
    public Task TakeAsync(long bytes, CancellationToken cancellation)
    {
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_gate)
        {
            if (_waiting.Count == 0 && Fits(bytes))
            {
                _inFlight += bytes;
                return Task.CompletedTask;
            }
            cancellation.ThrowIfCancellationRequested();
            node = _waiting.AddLast((bytes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)));
        }
        var taken = node.Value.Item2;
        if (cancellation.CanBeCanceled)
        {
            var registration = cancellation.Register(() =>
            {
                lock (_gate)
                {
                    if (node.List is null) return; // already let in
                    _waiting.Remove(node);
                }
                taken.TrySetCanceled(cancellation);
            });
            _ = taken.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        return taken.Task;
    }

    public void Give(long bytes)
    {
        if (bytes == 0) return;
        lock (_gate)
        {
            _inFlight -= bytes;
            // In order: a large file at the head is not overtaken for ever by small ones behind it.
            while (_waiting.First is { } first && Fits(first.Value.Bytes))
            {
                _waiting.RemoveFirst();
                _inFlight += first.Value.Bytes;
                first.Value.Taken.SetResult();
            }
        }
    }

    private bool Fits(long bytes) => _inFlight == 0 || _inFlight + bytes <= limit;
}
