using System.Diagnostics;
using Atelier.Hashing;
using Atelier.Imaging;

namespace Atelier.Bench.Ingest;

/// <summary>
/// How far from the C++ reference's hashes PDQ lands when the JPEG is DCT-scaled to a longer side of at
/// least N px before the 512 x 512 nearest-neighbour resize (N = 0: full size, what ingest does), and what the
/// decode costs; a cheaper decode would be acceptable if it stayed within the target (median <= 2, >= 99.5 %
/// within 31 bits).
/// </summary>
internal static class PdqScaleAgreement
{
    public static void Run(string folder, string referenceFile, IReadOnlyList<int> maxSides)
    {
        var expected = new Dictionary<string, PdqHash>();
        foreach (var line in File.ReadLines(referenceFile))
        {
            var parts = line.Split(',');
            if (parts.Length >= 3 && PdqHash.TryParse(parts[0], out var h)) expected[Path.GetFileName(parts[2])] = h;
        }

        var files = Directory.GetFiles(folder, "*.jpg").Where(f => expected.ContainsKey(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToArray();
        var contents = files.Select(File.ReadAllBytes).ToArray();
        Console.WriteLine($"# {files.Length} JPEGs from {folder} against {referenceFile}");
        Console.WriteLine("decode to long side >= | median distance | max | within 2 | within 31 | decode+hash ms/image");
        foreach (var side in maxSides)
        {
            var options = side == 0 ? DecodeOptions.Default : new DecodeOptions { MaxSide = side };
            var distances = new List<int>();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < files.Length; i++)
            {
                var image = ImageDecoder.Decode(contents[i], options);
                distances.Add(PdqHasher.HashRgba(image.Pixels, image.Width, image.Height).Hash.DistanceTo(expected[Path.GetFileName(files[i])]));
            }

            double ms = sw.Elapsed.TotalMilliseconds / files.Length;
            distances.Sort();
            Console.WriteLine($"{(side == 0 ? "full size" : side.ToString())} | {distances[distances.Count / 2]} | {distances[^1]} | "
                + $"{distances.Count(d => d <= 2)}/{files.Length} | {distances.Count(d => d <= 31)}/{files.Length} | {ms:F1}");
        }
    }
}
