namespace Atelier.Datasets.Tests;

public class FolderWriterTests
{
    [Fact]
    public void Folder_export_writes_png_and_caption_per_image()
    {
        using var dir = new TempDir();
        var manifest = Fakes.Manifest();
        var options = Fakes.Options(dir.Path, 12, manifest) with { Caption = new CaptionOptions { Rating = RatingInCaption.OwnLine } };
        using (var writer = ExportWriters.Create(ExportFormat.Folder, options, TestPng.Encode))
        {
            for (int i = 0; i < manifest.Items.Length; i++)
                writer.Add(i, ExportLabel.From(manifest.Items[i]), Fakes.Gradient(12, i));
            writer.Complete();
        }

        var expected = manifest.Items.SelectMany(i => new[] { i.Sha256 + ".png", i.Sha256 + ".txt" })
            .Append("dataset.json").Append("labels.jsonl").Order(StringComparer.Ordinal);
        Assert.Equal(expected, dir.FileNames());

        for (int i = 0; i < manifest.Items.Length; i++)
        {
            var (w, h, rgb) = TestPng.Decode(File.ReadAllBytes(dir[manifest.Items[i].Sha256 + ".png"]));
            Assert.Equal((12, 12), (w, h));
            Assert.Equal(Fakes.Gradient(12, i), rgb);
        }

        var alice = manifest.Items.Single(i => i.ImageId == 1);
        // Character tags before general ones, then by name; rating on its own second line.
        Assert.Equal("alice, red_hair, smile\nrating:general\n", File.ReadAllText(dir[alice.Sha256 + ".txt"]));
        var unrated = manifest.Items.Single(i => i.ImageId == 3);
        Assert.Equal("\n", File.ReadAllText(dir[unrated.Sha256 + ".txt"]));
    }

    [Fact]
    public void Folder_export_needs_an_encoder()
    {
        using var dir = new TempDir();
        var ex = Assert.Throws<DatasetException>(() => ExportWriters.Create(ExportFormat.Folder, Fakes.Options(dir.Path)));
        Assert.Equal(DatasetErrorCode.InvalidArgument, ex.Code);
    }

    [Fact]
    public void Abandoned_folder_export_has_no_descriptor_and_no_partials()
    {
        using var dir = new TempDir();
        var manifest = Fakes.Manifest();
        using (var writer = new FolderWriter(Fakes.Options(dir.Path, 8, manifest), TestPng.Encode))
            writer.Add(0, ExportLabel.From(manifest.Items[0]), Fakes.Gradient(8, 0));
        Assert.Equal(2, dir.FileNames().Length);
        Assert.DoesNotContain(dir.FileNames(), n => n.EndsWith(".partial", StringComparison.Ordinal) || n == "dataset.json");
    }
}

public class CaptionWriterTests
{
    private static readonly ExportLabel Label = new(Fakes.Sha("c"),
    [
        new SnapshotTag("smile", "general"), new SnapshotTag("highres", "meta"), new SnapshotTag("blue_sky", "general"),
        new SnapshotTag("alice", "character"), new SnapshotTag("studio_x", "artist"), new SnapshotTag("odd", "zzz"),
        new SnapshotTag("aaa", "custom"),
    ], "safe");

    [Fact]
    public void Tags_follow_category_order_then_name()
    {
        Assert.Equal("alice, studio_x, blue_sky, smile, highres, aaa, odd\n", CaptionWriter.Format(Label, new CaptionOptions()));
    }

    [Fact]
    public void Rating_can_lead_and_underscores_can_become_spaces()
    {
        var options = new CaptionOptions { Rating = RatingInCaption.FirstTag, RatingPrefix = "rating_", UnderscoresToSpaces = true };
        // The prefix is used verbatim; only tag and rating text are cleaned.
        Assert.Equal("rating_safe, alice, studio x, blue sky, smile, highres, aaa, odd\n", CaptionWriter.Format(Label, options));
    }

    [Fact]
    public void Newlines_inside_tags_cannot_split_the_caption()
    {
        var label = new ExportLabel(Fakes.Sha("n"), [new SnapshotTag("two\nlines", "general")], null);
        Assert.Equal("two lines\n", CaptionWriter.Format(label, new CaptionOptions()));
    }
}
