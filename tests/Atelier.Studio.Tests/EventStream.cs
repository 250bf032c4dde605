namespace Atelier.Studio.Tests;

/// <summary>Reads server-sent events from a response one at a time: (event name, data line).</summary>
public sealed class EventStream(StreamReader reader, CancellationToken cancellation) : IDisposable
{
    public static async Task<EventStream> OpenAsync(HttpClient client, string path, CancellationToken cancellation)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellation);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return new EventStream(new StreamReader(await response.Content.ReadAsStreamAsync(cancellation)), cancellation);
    }

    public async Task<(string Event, string Data)> Next()
    {
        string? name = null;
        while (await reader.ReadLineAsync(cancellation) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) return (name!, line[6..]);
        }
        throw new EndOfStreamException();
    }

    /// <summary>Events up to and including the first named <paramref name="name"/>.</summary>
    public async Task<List<(string Event, string Data)>> Until(string name)
    {
        var seen = new List<(string, string)>();
        while (true)
        {
            var next = await Next();
            seen.Add(next);
            if (next.Event == name) return seen;
        }
    }

    public void Dispose() => reader.Dispose();
}
