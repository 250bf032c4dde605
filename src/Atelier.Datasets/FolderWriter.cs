using System.Text;

namespace Atelier.Datasets;

/// <summary>
/// Kohya-style folder export: &lt;sha256&gt;.png plus &lt;sha256&gt;.txt caption (see <see cref="CaptionOptions"/>
/// for tag order), and labels.jsonl / dataset.json. PNG bytes come from the caller's encoder so the
/// project has one PNG implementation (the imaging layer). Each file is written atomically.
/// </summary>
public sealed class FolderWriter(ExportOptions options, RgbPngEncoder pngEncoder) : ExportWriter(options)
{
    private readonly RgbPngEncoder _encoder = pngEncoder ?? throw new ArgumentNullException(nameof(pngEncoder));

    public override ExportFormat Format => ExportFormat.Folder;

    public static string ImageFileName(ExportLabel label) => label.Sha256 + ".png";
    public static string CaptionFileName(ExportLabel label) => label.Sha256 + ".txt";

    protected override void WriteImage(int index, ExportLabel label, ReadOnlySpan<byte> rgb)
    {
        byte[] png = _encoder(rgb, Options.Resolution, Options.Resolution);
        // Caption first: an image on disk always has its caption beside it.
        PartialFile.WriteAllBytes(OutputPath(CaptionFileName(label)), Encoding.UTF8.GetBytes(CaptionWriter.Format(label, Options.Caption)));
        PartialFile.WriteAllBytes(OutputPath(ImageFileName(label)), png);
    }

    protected override void FinishFiles() { }

    protected override void Abandon() { }
}
