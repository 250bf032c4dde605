using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Atelier.Ingest.Tests;

/// <summary>What the test server answers for one request.</summary>
internal sealed record Reply(int Status, byte[] Body, params (string Name, string Value)[] Headers)
{
    /// <summary>Send no Content-Length and end the body by closing the connection.</summary>
    public bool OmitLength { get; init; }
    /// <summary>Send nothing until this completes (or the server stops): <see cref="Never"/> for a server that never answers.</summary>
    public Task? HoldUntil { get; init; }

    /// <summary>A <see cref="HoldUntil"/> that never completes.</summary>
    public static Task Never => new TaskCompletionSource().Task;

    public static Reply Png(byte[] png, params (string, string)[] extra) =>
        new(200, png, [("Content-Type", "image/png"), .. extra]);

    public static Reply Text(int status, string text) => new(status, Encoding.UTF8.GetBytes(text), ("Content-Type", "text/html"));

    public static Reply RedirectTo(string location) => new(302, [], ("Location", location));
}

/// <summary>A minimal HTTP/1.1 server on 127.0.0.1 and a random port; one request per connection.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<string, int, Reply> _handler;
    private readonly Task _loop;
    private int _waiting;

    /// <param name="handler">(path, 1-based hit count for that path) → reply.</param>
    public LoopbackServer(Func<string, int, Reply> handler)
    {
        _handler = handler;
        _listener.Start();
        _loop = AcceptLoop();
    }

    public ConcurrentDictionary<string, int> Hits { get; } = new();

    /// <summary>
    /// Most requests received and not yet answered at once. Counted from the request's arrival to the start of its answer, so
    /// a client can never be ahead of it: it cannot send its next request before it has its previous answer.
    /// </summary>
    public int MaxInFlight;

    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _ = Serve(client);
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var path = await ReadRequestPath(stream);
            if (path is null) return;
            int hit = Hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            // Counted before the handler runs, so a request that completes a wave (Waves) is counted with the ones it lets go.
            InterlockedMax(ref MaxInFlight, Interlocked.Increment(ref _waiting));
            Reply reply;
            try
            {
                reply = _handler(path, hit);
                if (reply.HoldUntil is { } hold) await hold.WaitAsync(_stop.Token);
            }
            finally { Interlocked.Decrement(ref _waiting); }
            var head = new StringBuilder($"HTTP/1.1 {reply.Status} {(HttpStatusCode)reply.Status}\r\nConnection: close\r\n");
            foreach (var (name, value) in reply.Headers) head.Append($"{name}: {value}\r\n");
            if (!reply.OmitLength) head.Append($"Content-Length: {reply.Body.Length}\r\n");
            head.Append("\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
            await stream.WriteAsync(reply.Body, _stop.Token);
            await stream.FlushAsync(_stop.Token);
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception) { /* the client gave up (timeout, size cap) or the server stopped: expected in these tests */ }
    }

    private static async Task<string?> ReadRequestPath(NetworkStream stream)
    {
        var buffer = new byte[8192];
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(total));
            if (n == 0) return null;
            total += n;
            var text = Encoding.ASCII.GetString(buffer, 0, total);
            if (text.Contains("\r\n\r\n", StringComparison.Ordinal))
                return text.Split(' ', 3)[1];
        }
        return null;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (Exception) { }
        _stop.Dispose();
    }
}

/// <summary>
/// Holds requests until <paramref name="size"/> of them are waiting together, then lets that wave go: a client that
/// cannot keep <paramref name="size"/> requests in flight at once never gets an answer.
/// </summary>
internal sealed class Waves(int size)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _wave = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;

    public Task Arrive()
    {
        lock (_gate)
        {
            var wave = _wave;
            if (++_waiting == size)
            {
                _waiting = 0;
                _wave = new(TaskCreationOptions.RunContinuationsAsynchronously);
                wave.SetResult();
            }
            return wave.Task;
        }
    }
}
