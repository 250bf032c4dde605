using CsvHelper;

namespace Atelier.Ingest.Metadata;

/// <summary>
/// RFC 4180 records (commas, double-quoted fields with <c>""</c> escapes and embedded line breaks) through CsvHelper,
/// as lists of strings with the line each record starts on (docs/decisions/0005-csv-reader.md). Blank lines are
/// skipped, fields are not trimmed, rows may be ragged, and stray quotes are kept as text; only an unterminated
/// quote, which would swallow the rest of the file, is refused, by the line its record starts on.
/// </summary>
internal sealed class CsvReader : IDisposable
{
    private readonly CsvHelper.CsvReader _csv;
    private long _unterminatedAt;

    public CsvReader(TextReader reader)
    {
        var options = new CsvReaderOptions
        {
            Separator = ',', // never guessed: a manifest's fields may hold ; or tabs
            HasHeader = false, // callers read the header as the first record
            TrackLineNumbers = true,
            OnMalformedRecord = m =>
            {
                if (m.Reason == CsvMalformedReason.UnterminatedQuote && _unterminatedAt == 0) _unterminatedAt = m.LineNumber;
            },
        };
        _csv = CsvHelper.CsvReader.Create(reader, options, leaveOpen: true);
    }

    /// <summary>1-based line on which the last returned record started.</summary>
    public int RecordLine { get; private set; }

    public List<string>? ReadRecord()
    {
        if (!_csv.Read()) return null;
        RecordLine = checked((int)_csv.LineNumber);
        if (_unterminatedAt is > 0 and var line && line <= RecordLine)
            throw new FormatException($"unterminated quote in record at line {line}");
        var fields = new List<string>(_csv.FieldCount);
        for (int i = 0; i < _csv.FieldCount; i++) fields.Add(_csv.GetString(i));
        return fields;
    }

    public void Dispose() => _csv.Dispose();
}
