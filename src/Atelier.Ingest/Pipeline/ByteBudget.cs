namespace Atelier.Ingest.Pipeline;

/// <summary>
/// Bounds how many bytes of file content are in flight between the sources and the catalog writer, so that
/// large camera files cannot pile up in the queues (64 queued 20 MB files would be over a gigabyte) while
/// small images still flow many at a time. A single file larger than the whole budget is let through alone.
/// </summary>
internal sealed class ByteBudget(long limit)
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _freed = new(0);
    private long _inFlight;

    public long InFlight { get { lock (_gate) return _inFlight; } }

    /// <summary>Waits until <paramref name="bytes"/> more fit (or nothing else is in flight), then takes them.</summary>
    public async Task TakeAsync(long bytes, CancellationToken cancellation)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_inFlight == 0 || _inFlight + bytes <= limit)
                {
                    _inFlight += bytes;
                    return;
                }
            }
            await _freed.WaitAsync(cancellation);
        }
    }

    public void Give(long bytes)
    {
        if (bytes == 0) return;
        lock (_gate) _inFlight -= bytes;
        _freed.Release();
    }
}
