using Atelier.TestSupport;
using Atelier.Training.Data;

namespace Atelier.Training.Tests;

public sealed class TrainingSetTests
{
    private static readonly string[][] Animals =
    [
        ["animal:cat", "colour:red"],
        ["animal:dog"],
        ["animal:cat", "colour:blue"],
        ["animal:owl", "colour:red", "colour:blue"],
    ];

    [Theory]
    [InlineData("none", ConditioningMode.None, null)]
    [InlineData(" Multi ", ConditioningMode.MultiLabel, null)]
    [InlineData("animal", ConditioningMode.Category, "animal")]
    public void Conditioning_is_parsed_from_the_flag(string text, ConditioningMode mode, string? category)
    {
        Assert.Equal(new ConditioningRequest(mode, category), ConditioningRequest.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("two words")]
    public void Bad_conditioning_is_refused_with_the_choices(string text)
    {
        var e = Assert.Throws<TrainingException>(() => ConditioningRequest.Parse(text));
        Assert.Equal("bad-conditioning", e.Code);
        Assert.Contains("multi", e.Message);
    }

    [Fact]
    public void Unconditional_set_has_no_labels_and_reads_pixels()
    {
        using var dir = new TempDir();
        SyntheticExport.Write(dir.Path, 8, Animals);
        using var set = TrainingSet.Open(dir.Path, ConditioningRequest.None, 8);
        Assert.Equal(4, set.Count);
        Assert.Equal(8, set.Resolution);
        Assert.Equal(0, set.Labels.Dim);
        Assert.Equal(SyntheticExport.Root, set.SnapshotRoot);
        Assert.True(set.Pixels(3).SequenceEqual(SyntheticExport.Pixels(8, 3)));
        set.CopyLabels(2, Span<float>.Empty);
    }

    [Fact]
    public void Class_conditioning_gives_one_hot_labels_over_the_category()
    {
        using var dir = new TempDir();
        SyntheticExport.Write(dir.Path, 8, Animals);
        using var set = TrainingSet.Open(dir.Path, ConditioningRequest.Parse("animal"), 8);
        Assert.Equal(["cat", "dog", "owl"], set.Labels.Labels);
        Assert.Equal(ConditioningMode.Category, set.Labels.Mode);
        var label = new float[3];
        int[] expected = [0, 1, 0, 2];
        for (int i = 0; i < 4; i++)
        {
            set.CopyLabels(i, label);
            Assert.Equal(Enumerable.Range(0, 3).Select(c => c == expected[i] ? 1f : 0f), label);
        }
    }

    [Fact]
    public void Multi_label_conditioning_gives_multi_hot_labels_over_all_tags()
    {
        using var dir = new TempDir();
        SyntheticExport.Write(dir.Path, 8, Animals);
        using var set = TrainingSet.Open(dir.Path, ConditioningRequest.Multi, 8);
        Assert.Equal(["animal:cat", "animal:dog", "animal:owl", "colour:blue", "colour:red"], set.Labels.Labels);
        var label = new float[5];
        set.CopyLabels(3, label);
        Assert.Equal([0f, 0f, 1f, 1f, 1f], label);
        set.CopyLabels(1, label);
        Assert.Equal([0f, 1f, 0f, 0f, 0f], label);
    }

    [Fact]
    public void Class_conditioning_refuses_images_without_a_class_naming_the_first()
    {
        using var dir = new TempDir();
        SyntheticExport.Write(dir.Path, 8, [["animal:cat"], ["colour:red"], [], ["animal:dog"]]);
        var e = Assert.Throws<TrainingException>(() => TrainingSet.Open(dir.Path, ConditioningRequest.Parse("animal"), 8));
        Assert.Equal("class-missing", e.Code);
        Assert.Contains("needs exactly one animal: tag per image; 2 images have none", e.Message);
        Assert.Contains(SyntheticExport.Sha(1)[..12], e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Class_conditioning_refuses_images_with_several_classes()
    {
        using var dir = new TempDir();
        SyntheticExport.Write(dir.Path, 8, [["animal:cat"], ["animal:cat", "animal:dog"]]);
        var e = Assert.Throws<TrainingException>(() => TrainingSet.Open(dir.Path, ConditioningRequest.Parse("animal"), 8));
        Assert.Equal("class-ambiguous", e.Code);
        Assert.Contains("1 image has several", e.Message);
        Assert.Contains(SyntheticExport.Sha(1)[..12], e.Message);
    }

    [Fact]
    public void Unknown_category_lists_the_ones_there_are()
    {
        using var dir = new TempDir();
        SyntheticExport.Write(dir.Path, 8, Animals);
        var e = Assert.Throws<TrainingException>(() => TrainingSet.Open(dir.Path, ConditioningRequest.Parse("artist"), 8));
        Assert.Equal("unknown-category", e.Code);
        Assert.Contains("animal, colour", e.Message);
    }

    [Fact]
    public void Multi_label_refuses_an_export_without_tags_and_untagged_images()
    {
        using var none = new TempDir();
        SyntheticExport.Untagged(none.Path, 8, 2);
        Assert.Equal("no-tags", Assert.Throws<TrainingException>(() => TrainingSet.Open(none.Path, ConditioningRequest.Multi, 8)).Code);

        using var some = new TempDir();
        SyntheticExport.Write(some.Path, 8, [["animal:cat"], []]);
        var e = Assert.Throws<TrainingException>(() => TrainingSet.Open(some.Path, ConditioningRequest.Multi, 8));
        Assert.Equal("untagged-images", e.Code);
        Assert.Contains("1 image has none", e.Message);
    }

    [Fact]
    public void Wrong_resolution_missing_unfinished_and_empty_exports_are_refused()
    {
        using var dir = new TempDir();
        string export = SyntheticExport.Write(Path.Combine(dir.Path, "e"), 8, Animals);
        var wrong = Assert.Throws<TrainingException>(() => TrainingSet.Open(export, ConditioningRequest.None, 64));
        Assert.Equal("resolution-mismatch", wrong.Code);
        Assert.Contains("8x8", wrong.Message);

        Assert.Equal("export-missing", Assert.Throws<TrainingException>(() => TrainingSet.Open(Path.Combine(dir.Path, "nope"), ConditioningRequest.None, 8)).Code);

        File.Delete(Path.Combine(export, "dataset.json"));
        Assert.Equal("export-unfinished", Assert.Throws<TrainingException>(() => TrainingSet.Open(export, ConditioningRequest.None, 8)).Code);

        string empty = SyntheticExport.Untagged(Path.Combine(dir.Path, "empty"), 8, 0);
        Assert.Equal("empty-set", Assert.Throws<TrainingException>(() => TrainingSet.Open(empty, ConditioningRequest.None, 8)).Code);
    }

    [Fact]
    public void Truncated_shard_is_refused_as_an_invalid_export()
    {
        using var dir = new TempDir();
        SyntheticExport.Write(dir.Path, 8, Animals);
        string shard = Directory.GetFiles(dir.Path, "shard-*.bin").Order().First();
        using (var f = new FileStream(shard, FileMode.Open)) f.SetLength(f.Length - 10);
        var e = Assert.Throws<TrainingException>(() => TrainingSet.Open(dir.Path, ConditioningRequest.None, 8));
        Assert.Equal("export-invalid", e.Code);
    }
}
