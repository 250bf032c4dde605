using System.Diagnostics;
using Atelier.Catalog;

/// <summary>
/// What a request pays to open the workspace (--open N [--repeats 5]): N opens and disposes of a workspace with the full
/// schema, unpooled (what the CLI does) and pooled (what the studio does), each followed by one statement as every request
/// makes; the two alternate, one round each per repeat. Prints CPU and wall time per open, each round and the medians.
/// </summary>
internal static class OpenBench
{
    public static int Run(int opens, int repeats, string dir, bool keep)
    {
        using (Workspace.Init(dir)) { }
        var rounds = new Dictionary<bool, List<(double Cpu, double Wall)>> { [false] = [], [true] = [] };
        for (var r = 0; r < repeats; r++)
            foreach (var pooled in new[] { false, true })
            {
                Open(dir, pooled, 200);  // warm-up: JIT, and the pool's first connection
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                Open(dir, pooled, opens);
                process.Refresh();
                var round = ((process.TotalProcessorTime - cpu).TotalMilliseconds * 1000 / opens, wall.Elapsed.TotalMilliseconds * 1000 / opens);
                rounds[pooled].Add(round);
                Console.WriteLine($"round {r + 1} {(pooled ? "pooled  " : "unpooled")}: {round.Item1,7:F1} us CPU, {round.Item2,7:F1} us wall per open");
            }
        foreach (var (pooled, list) in rounds)
            Console.WriteLine($"median {(pooled ? "pooled  " : "unpooled")}: {Median(list.Select(x => x.Cpu)),7:F1} us CPU, {Median(list.Select(x => x.Wall)),7:F1} us wall per open ({opens} opens x {repeats})");
        if (!keep) Directory.Delete(dir, recursive: true);
        return 0;
    }

    private static void Open(string dir, bool pooled, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var ws = Workspace.Open(dir, pooled);
            _ = ws.Catalog.OwnerUser();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
