using System.Globalization;
using System.Text;
using nietras.SeparatedValues;

// Manifest CSV reading, for docs/decisions/0005-csv-reader.md:
//   gen FILE ROWS          writes a manifest shaped like metadata.csv (file_name, tags, caption with commas,
//                          quotes and line breaks, rating, licence), the same bytes for the same ROWS
//   csvhelper|sep FILE     reads every record into strings, as the ingest does, and prints records and a checksum
// Time it from outside: farm-bench -- dotnet Atelier.Bench.Csv.dll csvhelper FILE --vs '... sep FILE'.
if (args is ["gen", var path, var rowsText])
{
    int rows = int.Parse(rowsText, CultureInfo.InvariantCulture);
    using var w = new StreamWriter(path, false, new UTF8Encoding(true));
    w.Write("file_name,tags,caption,rating,license\n");
    var words = new[] { "sky", "cloud", "blue", "sea", "sunset", "tree", "red", "smile", "cat", "hill" };
    for (int i = 0; i < rows; i++)
    {
        string tags = string.Join(", ", Enumerable.Range(0, 3 + i % 5).Select(k => words[(i * 7 + k * 3) % words.Length]));
        string caption = (i % 10) switch
        {
            0 => $"\"a \"\"quoted\"\" caption, number {i}\"",
            1 => $"\"two\nlines {i}\"",
            _ => $"plain caption {i}",
        };
        w.Write($"img/{i:000000}.png,\"{tags}\",{caption},general,CC-BY-4.0\n");
    }
    return 0;
}
if (args is not [var library, var file])
{
    Console.Error.WriteLine("usage: gen FILE ROWS | csvhelper FILE | sep FILE");
    return 2;
}
long records = 0, checksum = 0;
using var reader = new StreamReader(file, Encoding.UTF8);
switch (library)
{
    case "csvhelper":
    {
        var options = new CsvHelper.CsvReaderOptions { Separator = ',', HasHeader = false, TrackLineNumbers = true };
        using var csv = CsvHelper.CsvReader.Create(reader, options, leaveOpen: true);
        while (csv.Read())
        {
            var fields = new List<string>(csv.FieldCount);
            for (int i = 0; i < csv.FieldCount; i++) fields.Add(csv.GetString(i));
            records++;
            checksum += fields.Sum(f => f.Length) + csv.LineNumber;
        }
        break;
    }
    case "sep":
    {
        using var csv = Sep.Reader(o => o with { Sep = new Sep(','), HasHeader = false, Unescape = true, DisableColCountCheck = true }).From(reader);
        foreach (var row in csv)
        {
            var fields = new List<string>(row.ColCount);
            for (int i = 0; i < row.ColCount; i++) fields.Add(row[i].ToString());
            records++;
            checksum += fields.Sum(f => f.Length) + row.LineNumberFrom;
        }
        break;
    }
    default:
        Console.Error.WriteLine($"unknown library '{library}'");
        return 2;
}
Console.WriteLine($"{library}: {records:N0} records, checksum {checksum}");
return 0;
