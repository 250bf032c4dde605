using static TorchSharp.torch;

namespace Atelier.Training.Augmentation;

/// <summary>
/// Differentiable augmentation (Zhao et al. 2020), applied the same way to reals and fakes so D
/// cannot tell them apart by the augmentation and G still gets gradients through it. Ops: colour
/// (brightness +-0.5, saturation x[0,2], contrast x[0.5,1.5]), translation by up to 1/8 of the
/// side with zero fill, cutout of a half-side square. Each op hits each sample independently with
/// probability p; a sample it skips gets the op's identity parameters (shift 0, factor 1, no hole),
/// so the random draws do not depend on p. Every draw comes from the CPU generator passed in (the run's, which
/// its checkpoints save) and then moves to the images' device, so a resumed run draws the same on a GPU too.
/// </summary>
public sealed class DiffAugment
{
    readonly bool color;
    readonly bool translation;
    readonly bool cutout;

    public DiffAugment(string policy = "color,translation,cutout")
    {
        foreach (var op in policy.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (op)
            {
                case "color": color = true; break;
                case "translation": translation = true; break;
                case "cutout": cutout = true; break;
                default:
                    throw new TrainingException("bad-augment-policy",
                        $"unknown augmentation '{op}' (known: color, translation, cutout)");
            }
        }
    }

    public string Policy => string.Join(",", new[] { (color, "color"), (translation, "translation"), (cutout, "cutout") }
        .Where(o => o.Item1).Select(o => o.Item2));

    /// <summary>Augments images [B,C,H,W]; p = 0 returns <paramref name="images"/> itself.</summary>
    /// <param name="random">A CPU generator to draw from; null uses torch's process-wide one.</param>
    public Tensor Apply(Tensor images, double p, Generator? random = null)
    {
        if (p < 0 || p > 1 || double.IsNaN(p))
            throw new TrainingException("bad-augment-probability", $"augmentation probability {p} is outside [0, 1]");
        if (p == 0 || !(color || translation || cutout)) return images;
        using var scope = NewDisposeScope();
        var x = images;
        if (color) x = Color(x, p, random);
        if (translation) x = Translate(x, p, random);
        if (cutout) x = Cutout(x, p, random);
        return scope.MoveToOuter(x);
    }

    /// <summary>1 where the op applies to the sample, else 0: [B] float.</summary>
    static Tensor Chosen(Tensor x, double p, Generator? random) => (rand([x.shape[0]], generator: random) < p).to(x.dtype).to(x.device);

    static Tensor Color(Tensor x, double p, Generator? random)
    {
        long b = x.shape[0];
        var shape = new long[] { b, 1, 1, 1 };
        var brightness = (rand(shape, dtype: x.dtype, generator: random).to(x.device) - 0.5) * Chosen(x, p, random).view(shape);
        x = x + brightness;
        var saturation = 1 + (rand(shape, dtype: x.dtype, generator: random).to(x.device) * 2 - 1) * Chosen(x, p, random).view(shape);
        var grey = x.mean([1], keepdim: true);
        x = (x - grey) * saturation + grey;
        var contrast = 1 + (rand(shape, dtype: x.dtype, generator: random).to(x.device) - 0.5) * Chosen(x, p, random).view(shape);
        var mean = x.mean([1, 2, 3], keepdim: true);
        return (x - mean) * contrast + mean;
    }

    /// <summary>Integer shift in [-side/8, side/8] per axis, zero fill, by gathering from a padded copy.</summary>
    static Tensor Translate(Tensor x, double p, Generator? random)
    {
        long b = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long reach = (long)(Math.Min(h, w) * 0.125 + 0.5);
        if (reach == 0) return x;
        var chosen = Chosen(x, p, random).to(int64);
        var dy = randint(-reach, reach + 1, [b], dtype: int64, generator: random).to(x.device) * chosen;
        var dx = randint(-reach, reach + 1, [b], dtype: int64, generator: random).to(x.device) * chosen;
        // Source pixel of output (y, x) is (y + dy, x + dx) in the image; out-of-range reads the zero border.
        long hp = h + 2, wp = w + 2;
        var padded = nn.functional.pad(x, [1, 1, 1, 1]).permute(0, 2, 3, 1).reshape(-1, c);
        var ys = (arange(h, dtype: int64, device: x.device).view(1, h, 1) + dy.view(b, 1, 1) + 1).clamp(0, hp - 1);
        var xs = (arange(w, dtype: int64, device: x.device).view(1, 1, w) + dx.view(b, 1, 1) + 1).clamp(0, wp - 1);
        var batch = arange(b, dtype: int64, device: x.device).view(b, 1, 1) * (hp * wp);
        var index = (batch + ys * wp + xs).flatten();
        return padded.index_select(0, index).view(b, h, w, c).permute(0, 3, 1, 2);
    }

    /// <summary>Zeroes a square of half the side centred at a uniform position (clipped at the border).</summary>
    static Tensor Cutout(Tensor x, double p, Generator? random)
    {
        long b = x.shape[0], h = x.shape[2], w = x.shape[3];
        long sh = (long)(h * 0.5 + 0.5), sw = (long)(w * 0.5 + 0.5);
        var cy = randint(0, h + (1 - sh % 2), [b], dtype: int64, generator: random).to(x.device).view(b, 1, 1) - sh / 2;
        var cx = randint(0, w + (1 - sw % 2), [b], dtype: int64, generator: random).to(x.device).view(b, 1, 1) - sw / 2;
        var ys = arange(h, dtype: int64, device: x.device).view(1, h, 1);
        var xs = arange(w, dtype: int64, device: x.device).view(1, 1, w);
        var hole = (ys >= cy) & (ys < cy + sh) & (xs >= cx) & (xs < cx + sw) & (Chosen(x, p, random) > 0).view(b, 1, 1);
        var keep = (~hole).to(x.dtype).unsqueeze(1);
        return x * keep;
    }
}
