using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Atelier.Imaging;
using Atelier.TestSupport;
using Atelier.Training.Reporting;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class ReportingTests
{
    static ReportingTests() => TorchRuntime.EnsureLoadable();

    private static Dictionary<string, double> Values(double d, double g) => new() { ["loss/D"] = d, ["loss/G"] = g };

    [Fact]
    public void Each_write_is_one_flushed_json_line_that_reads_back()
    {
        using var dir = new TempDir();
        using var log = new MetricsLog(dir.Path, tensorBoard: false);
        log.Write(64, Values(1.25, 0.5));
        // Readable by another reader before Dispose: the line was flushed.
        string[] lines = File.ReadAllLines(Path.Combine(dir.Path, "metrics.jsonl"));
        Assert.Equal("{\"images\":64,\"kimg\":0.064,\"loss/D\":1.25,\"loss/G\":0.5}", Assert.Single(lines));

        log.Write(128, Values(double.NaN, double.PositiveInfinity));
        var rows = log.ReadAll();
        Assert.Equal([64L, 128], rows.Select(r => r.Images));
        Assert.Equal(1.25, rows[0].Values["loss/D"]);
        Assert.Equal(0.128, rows[1].Kimg);
        Assert.True(double.IsNaN(rows[1].Values["loss/D"]));
        Assert.True(double.IsNaN(rows[1].Values["loss/G"]));
        Assert.Throws<ArgumentException>(() => log.Write(192, new Dictionary<string, double> { ["kimg"] = 1 }));
    }

    [Fact]
    public void Resuming_drops_rows_beyond_the_checkpoint_and_a_torn_last_line()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path, tensorBoard: false))
            for (int i = 1; i <= 5; i++) log.Write(i * 1000, Values(i, -i));
        File.AppendAllText(Path.Combine(dir.Path, "metrics.jsonl"), "{\"images\":6000,\"kimg\":6,\"loss/D\":"); // crash mid-line

        using (var resumed = new MetricsLog(dir.Path, tensorBoard: false, truncateAfterImages: 3000))
        {
            Assert.Equal([1000L, 2000, 3000], resumed.ReadAll().Select(r => r.Images));
            resumed.Write(3500, Values(9, 9));
        }
        Assert.Equal([1000L, 2000, 3000, 3500], MetricsLog.Read(Path.Combine(dir.Path, "metrics.jsonl")).Select(r => r.Images));
    }

    [Fact]
    public void TensorBoard_event_file_is_valid_tfrecord_with_a_record_per_scalar()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path))
            for (int i = 1; i <= 3; i++) log.Write(i * 64, Values(i, 2 * i));
        string events = Assert.Single(Directory.GetFiles(dir.Path, "events.out.tfevents.*"));
        var records = ReadTfRecords(File.ReadAllBytes(events));
        // File-version record, then one per scalar per write.
        Assert.Equal(1 + 3 * 2, records.Count);
        Assert.Contains("brain.Event:2", Encoding.ASCII.GetString(records[0]));
        Assert.Equal(3, records.Count(r => Encoding.UTF8.GetString(r).Contains("loss/G")));
    }

    [Fact]
    public void On_resume_TensorBoard_records_past_the_checkpoint_are_dropped_and_the_rest_stay_valid()
    {
        using var dir = new TempDir();
        using (var log = new MetricsLog(dir.Path))
            for (int i = 1; i <= 4; i++) log.Write(i * 64, Values(i, 2 * i));
        string events = Assert.Single(Directory.GetFiles(dir.Path, "events.out.tfevents.*"));
        Assert.Equal([0L, 64, 64, 128, 128, 192, 192, 256, 256], ReadTfRecords(File.ReadAllBytes(events)).Select(r => TensorBoardEvents.Step(r) ?? 0));
        File.AppendAllBytes(events, [1, 2, 3]); // a torn record from a crash

        using (var resumed = new MetricsLog(dir.Path, truncateAfterImages: 128))
            resumed.Write(192, Values(7, 7));
        var steps = Directory.GetFiles(dir.Path, "events.out.tfevents.*")
            .SelectMany(f => ReadTfRecords(File.ReadAllBytes(f))).Select(r => TensorBoardEvents.Step(r) ?? 0).ToList();
        // The trimmed old file keeps steps up to 128; the resumed writer's file starts over from there.
        Assert.Equal(2, steps.Count(s => s == 192));
        Assert.DoesNotContain(256L, steps);
        Assert.Equal(0, TensorBoardEvents.TrimAfter(dir.Path, 192));
    }

    /// <summary>TFRecord framing: u64 length, masked CRC-32C of the length, data, masked CRC-32C of the data.</summary>
    private static List<byte[]> ReadTfRecords(byte[] file)
    {
        var records = new List<byte[]>();
        int at = 0;
        while (at < file.Length)
        {
            Assert.True(at + 12 <= file.Length, $"record header at {at} runs past the end");
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(at));
            Assert.Equal(MaskedCrc(file.AsSpan(at, 8)), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + 8)));
            at += 12;
            Assert.True(at + (long)length + 4 <= file.Length, $"record of {length} bytes runs past the end");
            var data = file.AsSpan(at, (int)length);
            Assert.Equal(MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at + (int)length)));
            records.Add(data.ToArray());
            at += (int)length + 4;
        }
        return records;
    }

    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    [Fact]
    public void Masked_crc32c_matches_the_published_check_value()
    {
        // CRC-32C("123456789") = 0xE3069283: guards the checker above, so the TFRecord test can fail for the right reason.
        uint crc = ~0u;
        foreach (byte b in "123456789"u8) crc = BitOperations.Crc32C(crc, b);
        Assert.Equal(0xE3069283u, ~crc);
    }

    [Fact]
    public void Sample_grid_pixels_round_trip_and_empty_cells_are_black()
    {
        const int n = 5, size = 6, columns = 3;
        var random = new Random(4);
        var bytes = new byte[n * 3 * size * size];
        random.NextBytes(bytes);
        float[] floats = [.. bytes.Select(b => b / 127.5f - 1f)];
        using var images = tensor(floats, [n, 3, size, size]);
        byte[] png = SampleGrid.EncodePng(images, columns);

        var decoded = ImageDecoder.Decode(png);
        Assert.Equal(columns * size, decoded.Width);
        Assert.Equal(2 * size, decoded.Height);
        for (int k = 0; k < n; k++)
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < size; y++)
                    for (int x = 0; x < size; x++)
                    {
                        var p = decoded.GetPixel(k % columns * size + x, k / columns * size + y);
                        byte actual = c == 0 ? p.R : c == 1 ? p.G : p.B;
                        Assert.Equal(bytes[((k * 3 + c) * size + y) * size + x], actual);
                    }
        Assert.Equal((0, 0, 0, 255), ((int, int, int, int))decoded.GetPixel(2 * size + 1, size + 1));
    }

    [Fact]
    public void Sample_grid_clamps_out_of_range_values_and_refuses_wrong_shapes()
    {
        using var images = tensor(new float[] { -3f, 5f, 0f }, [1, 3, 1, 1]);
        var p = ImageDecoder.Decode(SampleGrid.EncodePng(images, 4)).GetPixel(0, 0);
        Assert.Equal(((byte)0, (byte)255, (byte)128), (p.R, p.G, p.B));
        using var gray = zeros(2, 1, 4, 4);
        Assert.Throws<ArgumentException>(() => SampleGrid.EncodePng(gray, 2));
    }

    [Fact]
    public void Loss_plot_renders_a_png_of_the_requested_size_with_lines_on_it()
    {
        using var dir = new TempDir();
        var rows = Enumerable.Range(1, 50)
            .Select(i => new MetricsRow(i * 640, Values(1.0 / i, Math.Sin(i / 5.0) + (i == 20 ? double.NaN : 0))))
            .ToList();
        string path = Path.Combine(dir.Path, "loss.png");
        LossPlot.Save(path, rows, ["loss/D", "loss/G", "missing"], 640, 400);
        var image = ImageDecoder.Decode(File.ReadAllBytes(path));
        Assert.Equal((640, 400), (image.Width, image.Height));
        var colours = new HashSet<int>();
        for (int i = 0; i < image.Pixels.Length; i += 4) colours.Add(image.Pixels[i] << 16 | image.Pixels[i + 1] << 8 | image.Pixels[i + 2]);
        Assert.True(colours.Count > 10, $"only {colours.Count} colours: nothing was drawn");

        LossPlot.Save(path, rows, ["loss/D"]);
        var defaults = ImageDecoder.Decode(File.ReadAllBytes(path));
        Assert.Equal((LossPlot.DefaultWidth, LossPlot.DefaultHeight), (defaults.Width, defaults.Height));
    }
}
