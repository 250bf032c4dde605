using System.Globalization;

namespace Atelier.Cost;

/// <summary>One row of a published training-speed table: seconds per kimg (a range) for a network on N GPUs of a kind.</summary>
public sealed record PublishedSpeed(string Hardware, int Gpus, int Resolution, double LowSecondsPerKimg, double HighSecondsPerKimg, string Network, string Source);

/// <summary>A GPU kind the planner knows: its board power (TDP) and where that figure comes from.</summary>
public sealed record PublishedGpu(string Name, string Description, double TdpWatts, string TdpSource);

/// <summary>
/// Training speeds other people measured and published, for hardware not at hand. Each row is copied from its source and
/// names it; the range is the source's own (StyleGAN2-ADA prints a min–max per row, StyleGAN3 one figure "that tends to vary
/// by no more than ±20%"). None of them is Atelier's network: see <see cref="CostPlanner"/> for how that is said.
/// </summary>
public static class PublishedFigures
{
    public const string StyleGan2Ada =
        "NVlabs/stylegan2-ada-pytorch README.md, \"Expected training time\" (Tesla V100, --cfg=auto --aug=ada --metrics=fid50k_full; sec/kimg as reported in log.txt)";

    public const string StyleGan3 =
        "NVlabs/stylegan3 docs/configs.md, \"Recommended configurations\", StyleGAN3-T rows (s/kimg on A100, raw training speed; \"typically by no more than ±20%\")";

    public static readonly IReadOnlyList<PublishedGpu> Gpus =
    [
        new("v100", "NVIDIA Tesla V100 (SXM2)", 300, "NVIDIA V100 datasheet (volta-v100-datasheet-update-us-1165301-r5): \"Max Power Consumption\" 300 W for SXM2 (250 W for PCIe)"),
        new("a100", "NVIDIA A100 (SXM4)", 400, "NVIDIA A100 datasheet (nvidia-a100-datasheet-nvidia-us-2188504-web): \"Max Thermal Design Power (TDP)\" 400 W for SXM (300 W for 80GB PCIe)"),
    ];

    public static readonly IReadOnlyList<PublishedSpeed> Speeds =
    [
        .. V100(128, (1, 12.8, 13.7), (2, 6.5, 6.8), (4, 4.1, 4.6), (8, 3.9, 4.9)),
        .. V100(256, (1, 21.6, 24.2), (2, 11.2, 11.8), (4, 5.6, 5.9), (8, 4.4, 5.5)),
        .. V100(512, (1, 72.5, 74.9), (2, 37.7, 40.0), (4, 18.7, 19.1), (8, 9.5, 9.7)),
        .. V100(1024, (1, 154.3, 161.6), (2, 80.6, 86.2), (4, 40.1, 40.8), (8, 20.2, 20.6)),
        .. A100(128, (1, 27.20), (2, 13.74), (4, 7.52), (8, 4.40)),
        .. A100(256, (1, 49.81), (2, 25.05), (4, 13.26), (8, 7.32)),
        .. A100(512, (1, 90.25), (2, 45.42), (4, 22.81), (8, 12.29)),
        .. A100(1024, (1, 156.91), (2, 79.16), (4, 39.62), (8, 20.01)),
    ];

    /// <summary>StyleGAN3's stated variation of its s/kimg figures.</summary>
    public const double StyleGan3Variation = 0.20;

    private static IEnumerable<PublishedSpeed> V100(int resolution, params (int Gpus, double Low, double High)[] rows) =>
        rows.Select(r => new PublishedSpeed("v100", r.Gpus, resolution, r.Low, r.High, "StyleGAN2-ADA (cfg auto)", StyleGan2Ada));

    private static IEnumerable<PublishedSpeed> A100(int resolution, params (int Gpus, double SecondsPerKimg)[] rows) =>
        rows.Select(r => new PublishedSpeed("a100", r.Gpus, resolution, r.SecondsPerKimg * (1 - StyleGan3Variation), r.SecondsPerKimg * (1 + StyleGan3Variation),
            string.Create(CultureInfo.InvariantCulture, $"StyleGAN3-T ({r.SecondsPerKimg:0.00} s/kimg ±20%)"), StyleGan3));
}
