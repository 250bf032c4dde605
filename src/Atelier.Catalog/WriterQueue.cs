using System.Collections.Concurrent;

namespace Atelier.Catalog;

/// <summary>
/// One queue per catalog file for the writers of this process (the studio's requests, a worker's threads). SQLite lets one
/// writer in at a time and makes the others poll, sleeping up to 100 ms between tries, so that under many writers a waiting
/// request wakes late and the last in line waits longest. Writers of one process instead wait here, first come first served,
/// and only the one at the head polls SQLite (against other processes). A wait past the busy time-out is refused as SQLite's
/// own busy is.
/// </summary>
internal static class WriterQueue
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Queues = new(StringComparer.Ordinal);

    public static SemaphoreSlim For(string databasePath) => Queues.GetOrAdd(Path.GetFullPath(databasePath), _ => new SemaphoreSlim(1, 1));

    public static void Enter(SemaphoreSlim queue)
    {
        if (!queue.Wait(Catalog.BusyTimeoutMs)) throw CatalogErrors.Busy();
    }
}
