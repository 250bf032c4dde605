using Atelier.Hashing;
using SkiaSharp;

namespace Atelier.Hashing.Tests;

/// <summary>Access to the ThreatExchange PDQ fixtures copied under Fixtures/pdq.</summary>
internal static class PdqFixtures
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "pdq");

    public static string PathOf(string name) => Path.Combine(Dir, name);

    /// <summary>Decodes an image file to unpremultiplied RGBA8.</summary>
    public static (byte[] Rgba, int Width, int Height) DecodeRgba(string file)
    {
        using var codec = SKCodec.Create(file) ?? throw new InvalidOperationException($"cannot decode {file}");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        unsafe
        {
            fixed (byte* p = rgba)
            {
                SKCodecResult result = codec.GetPixels(info, (IntPtr)p);
                if (result != SKCodecResult.Success)
                {
                    throw new InvalidOperationException($"decode {file}: {result}");
                }
            }
        }

        return (rgba, info.Width, info.Height);
    }

    /// <summary>Reference hashes keyed by file name: (hash, quality).</summary>
    public static Dictionary<string, (PdqHash Hash, int Quality)> ReferenceHashes(string list = "reference-hashes-cpp.txt")
    {
        var map = new Dictionary<string, (PdqHash, int)>();
        foreach (string line in File.ReadLines(PathOf(list)))
        {
            string[] parts = line.Split(',');
            if (parts.Length == 3 && PdqHash.TryParse(parts[0], out PdqHash h))
            {
                map[Path.GetFileName(parts[2])] = (h, int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return map;
    }

    public static PdqHash[] ReadHashList(string name) =>
        File.ReadLines(PathOf(name)).Where(l => l.Trim().Length > 0).Select(l => PdqHash.Parse(l)).ToArray();

    /// <summary>One synthetic vector: name, rows, cols, main hash, quality, the 8 dihedral hashes.</summary>
    public sealed record Vector(string Name, int Rows, int Cols, PdqHash Hash, int Quality, PdqHash[] Dihedral);

    public static IReadOnlyList<Vector> SyntheticVectors()
    {
        var list = new List<Vector>();
        string[] lines = File.ReadAllLines(PathOf("synthetic-luma-vectors.txt"));
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith(' ') || lines[i].Trim().Length == 0)
            {
                continue;
            }

            string[] head = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string[] dims = head[1].Split('x');
            PdqHash hash = PdqHash.Parse(head[2].AsSpan("hash=".Length));
            int quality = int.Parse(head[3].AsSpan("quality=".Length), System.Globalization.CultureInfo.InvariantCulture);
            PdqHash[] dih = lines.Skip(i + 1).Take(8).Select(l => PdqHash.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2])).ToArray();
            list.Add(new Vector(head[0], int.Parse(dims[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(dims[1], System.Globalization.CultureInfo.InvariantCulture), hash, quality, dih));
        }

        return list;
    }

    /// <summary>The luma formulas of the vectors file.</summary>
    public static float[] SyntheticLuma(string name, int rows, int cols)
    {
        var luma = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                int y = name switch
                {
                    "A" or "A64" => (i * 7 + j * 13 + (i * j) % 17) % 256,
                    "B" => ((i / 16 + j / 16) % 2) != 0 ? 200 : 40,
                    "C" => (i * 255 / 299) ^ ((j * 3) % 64),
                    _ => throw new ArgumentException(name),
                };
                luma[i * cols + j] = y;
            }
        }

        return luma;
    }
}
