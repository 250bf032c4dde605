using Atelier.Ingest;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests;

internal static class Outcomes
{
    public static async Task<List<IngestOutcome>> ReadAll(IIngestSource source)
    {
        var list = new List<IngestOutcome>();
        await foreach (var o in source.ReadAsync(TestContext.Current.CancellationToken)) list.Add(o);
        return list;
    }

    public static List<IngestItem> Items(this IEnumerable<IngestOutcome> o) => o.OfType<IngestItem>().ToList();

    public static List<IngestRejection> Rejections(this IEnumerable<IngestOutcome> o) => o.OfType<IngestRejection>().ToList();
}
