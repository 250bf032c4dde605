using System.Text;

namespace Atelier.Ingest.Metadata;

/// <summary>Minimal RFC 4180 reader: commas, double-quoted fields with <c>""</c> escapes and embedded newlines.</summary>
internal sealed class CsvReader(TextReader reader)
{
    /// <summary>1-based line on which the last returned record started.</summary>
    public int RecordLine { get; private set; }
    private int _line = 1;

    public List<string>? ReadRecord()
    {
        int c = reader.Read();
        // Skip blank lines between records.
        while (c is '\r' or '\n')
        {
            if (c == '\n') _line++;
            c = reader.Read();
        }
        if (c < 0) return null;
        RecordLine = _line;
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        while (true)
        {
            if (quoted)
            {
                if (c < 0) throw new FormatException($"unterminated quote in record at line {RecordLine}");
                if (c == '"')
                {
                    if (reader.Peek() == '"') { field.Append('"'); reader.Read(); }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') _line++;
                    field.Append((char)c);
                }
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c is '\n' or '\r' or -1)
            {
                if (c == '\r' && reader.Peek() == '\n') reader.Read();
                if (c >= 0) _line++;
                fields.Add(field.ToString());
                return fields;
            }
            else field.Append((char)c);
            c = reader.Read();
        }
    }
}
