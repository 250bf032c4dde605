using System.Text;
using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Tests.Metadata;

/// <summary>What manifests and URL lists rely on from the CSV reader: RFC 4180 quoting, where each record starts, and bad input named by line.</summary>
public sealed class CsvReaderTests
{
    private static List<(int Line, List<string> Fields)> Read(string text)
    {
        using var reader = new CsvReader(new StringReader(text));
        var records = new List<(int, List<string>)>();
        while (reader.ReadRecord() is { } record) records.Add((reader.RecordLine, record));
        return records;
    }

    [Fact]
    public void Plain_records_with_lf_or_crlf_and_no_final_line_break()
    {
        static IEnumerable<string> Shown(string text) => Read(text).Select(r => $"{r.Line}:{string.Join('|', r.Fields)}");
        string[] expected = ["1:a|b", "2:1|2"];
        Assert.Equal(expected, Shown("a,b\n1,2\n"));
        Assert.Equal(expected, Shown("a,b\r\n1,2\r\n"));
        Assert.Equal(expected, Shown("a,b\n1,2"));
    }

    [Fact]
    public void Quoted_fields_keep_commas_doubled_quotes_and_line_breaks_and_the_next_record_knows_its_line()
    {
        var records = Read("name,caption\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",\"\"\nlast,\n");
        Assert.Equal([1, 2, 3, 5], records.Select(r => r.Line));
        Assert.Equal(["x, y", "say \"hi\""], records[1].Fields);
        Assert.Equal(["two\nlines", ""], records[2].Fields);
        Assert.Equal(["last", ""], records[3].Fields);
    }

    [Fact]
    public void Blank_lines_are_skipped_but_counted()
    {
        var records = Read("a\n\n\r\nb\n\n");
        Assert.Equal([(1, "a"), (4, "b")], records.Select(r => (r.Line, Assert.Single(r.Fields))));
    }

    [Fact]
    public void Fields_are_not_trimmed_rows_may_be_short_or_long_and_no_other_separator_is_guessed()
    {
        var records = Read("a;b,c\n x ,\"y\" \n1\n1,2,3\n");
        Assert.Equal(["a;b", "c"], records[0].Fields);
        Assert.Equal([" x ", "y "], records[1].Fields);
        Assert.Equal(["1"], records[2].Fields);
        Assert.Equal(["1", "2", "3"], records[3].Fields);
    }

    [Fact]
    public void A_quote_inside_an_unquoted_field_is_text()
    {
        Assert.Equal(["5\" disk", "x"], Read("5\" disk,x\n")[0].Fields);
    }

    [Fact]
    public void A_byte_order_mark_does_not_reach_the_first_header()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("file_name,tags\na.png,sky\n")).ToArray();
        using var text = new StreamReader(new MemoryStream(bytes), Encoding.UTF8);
        using var reader = new CsvReader(text);
        Assert.Equal(["file_name", "tags"], reader.ReadRecord());
        Assert.Equal(["a.png", "sky"], reader.ReadRecord());
        Assert.Null(reader.ReadRecord());
    }

    [Fact]
    public void An_unterminated_quote_names_the_line_its_record_starts_on_after_the_good_records()
    {
        using var reader = new CsvReader(new StringReader("file_name,tags\na.png,sky\n\nb.png,\"unterminated\nc.png,sea\n"));
        Assert.Equal(["file_name", "tags"], reader.ReadRecord());
        Assert.Equal(["a.png", "sky"], reader.ReadRecord());
        var e = Assert.Throws<FormatException>(() => reader.ReadRecord());
        Assert.Equal("unterminated quote in record at line 4", e.Message);
    }

    [Fact]
    public void Empty_input_has_no_records()
    {
        Assert.Empty(Read(""));
        Assert.Empty(Read("\n\n"));
    }
}
