using System.Runtime.ExceptionServices;

namespace Atelier.Training.Data;

/// <summary>
/// Prefetches batches on a background thread into a bounded queue. Batch k covers positions
/// [k*B, (k+1)*B) of an endless run of epochs; epoch e is a permutation seeded by (seed, e) and the
/// x-flip of a position by (seed, position), so batch k is the same whether reached by iterating or
/// by resuming at <c>firstBatch</c> = k. Returned batches are reused, so steady state allocates nothing.
/// </summary>
public sealed class BatchStream : IDisposable
{
    private const ulong OrderPurpose = 0x6F72646572UL;  // "order"
    private const ulong MirrorPurpose = 0x6D6972726F72UL; // "mirror"

    private readonly TrainingSet _set;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private readonly bool _mirror;
    private readonly Thread _thread;
    private readonly object _gate = new(); // Monitor, for Wait/Pulse
    // Filled batches in order (ring buffer) and recycled ones; both guarded by _gate.
    private readonly Batch?[] _ready;
    private int _readyHead, _readyCount;
    private readonly Stack<Batch> _free;
    private bool _stopping;
    private ExceptionDispatchInfo? _failure;

    // Producer-only state.
    private readonly int[] _order;
    private long _orderEpoch = -1;
    private long _nextBatch;
    private long _producerAllocated;

    private static readonly float[] ToUnit = BuildTable();

    public BatchStream(TrainingSet set, int batchSize, ulong seed, long firstBatch, bool mirror, int prefetch = 4)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(prefetch, 1);
        _set = set;
        _batchSize = batchSize;
        _seed = seed;
        _mirror = mirror;
        _nextBatch = firstBatch;
        _ready = new Batch?[prefetch];
        // Enough for a full queue, one being filled and two held by the consumer without returning.
        _free = new Stack<Batch>(prefetch + 3);
        for (int i = 0; i < prefetch + 3; i++) _free.Push(NewBatch());
        _order = new int[set.Count];
        _thread = new Thread(Produce) { IsBackground = true, Name = "Atelier batch prefetch" };
        _thread.Start();
    }

    public int BatchSize => _batchSize;

    /// <summary>Batches filled and waiting for <see cref="Next"/> (tests wait for a full queue, where the producer blocks).</summary>
    internal int QueuedBatches { get { lock (_gate) return _readyCount; } }

    /// <summary>Whether the prefetch thread is still running (tests check that Dispose ends it).</summary>
    internal bool ProducerRunning => _thread.IsAlive;

    /// <summary>Bytes the prefetch thread has allocated since its first batch was queued (tests check it stays flat).</summary>
    internal long ProducerAllocatedBytes => Interlocked.Read(ref _producerAllocated);

    /// <summary>The next batch in order; blocks until the prefetch thread has it.</summary>
    public Batch Next()
    {
        lock (_gate)
        {
            while (true)
            {
                ObjectDisposedException.ThrowIf(_stopping, this);
                if (_readyCount > 0) break;
                _failure?.Throw();
                Monitor.Wait(_gate);
            }
            var batch = _ready[_readyHead]!;
            _ready[_readyHead] = null;
            _readyHead = (_readyHead + 1) % _ready.Length;
            _readyCount--;
            Monitor.PulseAll(_gate);
            return batch;
        }
    }

    /// <summary>Hands a batch's arrays back for reuse; the caller must not touch them afterwards.</summary>
    public void Return(Batch b)
    {
        ArgumentNullException.ThrowIfNull(b);
        if (b.Images.Length != _batchSize * _set.ImageBytes || b.Labels.Length != _batchSize * _set.Labels.Dim)
            throw new ArgumentException("the batch did not come from this stream", nameof(b));
        lock (_gate)
        {
            _free.Push(b);
            Monitor.PulseAll(_gate);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    private Batch NewBatch() => new(new float[_batchSize * _set.ImageBytes], new float[_batchSize * _set.Labels.Dim], _batchSize, -1);

    private void Produce()
    {
        try
        {
            long baseline = -1;
            while (true)
            {
                Batch batch;
                lock (_gate)
                {
                    while (!_stopping && (_readyCount == _ready.Length || _free.Count == 0 && _readyCount > 0))
                        Monitor.Wait(_gate);
                    if (_stopping) return;
                    // A consumer that keeps batches without returning them costs allocations, never a deadlock.
                    batch = _free.Count > 0 ? _free.Pop() : NewBatch();
                }
                Fill(batch, _nextBatch++);
                lock (_gate)
                {
                    if (_stopping) return;
                    _ready[(_readyHead + _readyCount) % _ready.Length] = batch;
                    _readyCount++;
                    Monitor.PulseAll(_gate);
                }
                long now = GC.GetAllocatedBytesForCurrentThread();
                if (baseline < 0) baseline = now;
                Interlocked.Exchange(ref _producerAllocated, now - baseline);
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
                Monitor.PulseAll(_gate);
            }
        }
    }

    private void Fill(Batch batch, long number)
    {
        int r = _set.Resolution, plane = r * r, imageFloats = 3 * plane, dim = _set.Labels.Dim;
        long first = number * _batchSize;
        for (int i = 0; i < _batchSize; i++)
        {
            long position = first + i;
            int index = IndexAt(position);
            bool flip = _mirror && (SplitMix64.Mix(SplitMix64.Derive(_seed, (ulong)position, MirrorPurpose)) & 1) == 1;
            Convert(_set.Pixels(index), batch.Images.AsSpan(i * imageFloats, imageFloats), r, flip);
            _set.CopyLabels(index, batch.Labels.AsSpan(i * dim, dim));
        }
        batch.Size = _batchSize;
        batch.Number = number;
    }

    /// <summary>The image at a position of the endless epoch sequence.</summary>
    internal int IndexAt(long position)
    {
        int count = _set.Count;
        long epoch = position / count;
        if (epoch != _orderEpoch)
        {
            Shuffle(_order, SplitMix64.Derive(_seed, (ulong)epoch, OrderPurpose));
            _orderEpoch = epoch;
        }
        return _order[(int)(position % count)];
    }

    /// <summary>The epoch's permutation (Fisher–Yates), written into a reused array.</summary>
    internal static void Shuffle(int[] order, ulong seed)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var rng = new SplitMix64(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>uint8 HWC -> float CHW in [-1, 1], optionally mirrored left-right.</summary>
    internal static void Convert(ReadOnlySpan<byte> hwc, Span<float> chw, int resolution, bool flip)
    {
        int plane = resolution * resolution;
        var red = chw[..plane];
        var green = chw.Slice(plane, plane);
        var blue = chw.Slice(2 * plane, plane);
        for (int y = 0; y < resolution; y++)
        {
            int row = y * resolution;
            var source = hwc.Slice(row * 3, resolution * 3);
            for (int x = 0; x < resolution; x++)
            {
                int to = row + (flip ? resolution - 1 - x : x);
                red[to] = ToUnit[source[3 * x]];
                green[to] = ToUnit[source[3 * x + 1]];
                blue[to] = ToUnit[source[3 * x + 2]];
            }
        }
    }

    private static float[] BuildTable()
    {
        var table = new float[256];
        for (int v = 0; v < 256; v++) table[v] = v / 127.5f - 1f;
        return table;
    }
}
