using System.Formats.Cbor;

namespace Atelier.Provenance.Credentials;

/// <summary>
/// A manifest's CBOR read into plain values (long, string, byte[], lists, text-keyed maps) with bounded depth and
/// size, so a hostile assertion gives a reason instead of a deep recursion or a huge allocation.
/// </summary>
internal static class CborTree
{
    private const int MaxDepth = 16, MaxItems = 100_000;

    public static Dictionary<string, object?> ReadMap(ReadOnlyMemory<byte> cbor, string what)
    {
        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Lax);
            var budget = MaxItems;
            var value = Read(reader, 0, ref budget);
            if (reader.BytesRemaining != 0) throw new CredentialFormatException($"the {what} has bytes after its CBOR value");
            return value as Dictionary<string, object?> ?? throw new CredentialFormatException($"the {what} is not a CBOR map");
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new CredentialFormatException($"the {what} is not valid CBOR ({e.Message.Split('\n')[0]})");
        }
    }

    private static object? Read(CborReader r, int depth, ref int budget)
    {
        if (depth > MaxDepth) throw new CredentialFormatException("CBOR nested too deeply");
        if (--budget < 0) throw new CredentialFormatException("CBOR with too many items");
        switch (r.PeekState())
        {
            case CborReaderState.UnsignedInteger:
            case CborReaderState.NegativeInteger:
                return r.ReadInt64();
            case CborReaderState.TextString:
                return r.ReadTextString();
            case CborReaderState.ByteString:
                return r.ReadByteString();
            case CborReaderState.Boolean:
                return r.ReadBoolean();
            case CborReaderState.Null:
                r.ReadNull();
                return null;
            case CborReaderState.Tag:
                r.ReadTag(); // e.g. a tdate; the tagged value is what is kept
                return Read(r, depth + 1, ref budget);
            case CborReaderState.StartArray:
            {
                var count = r.ReadStartArray();
                var list = new List<object?>();
                while (r.PeekState() != CborReaderState.EndArray) list.Add(Read(r, depth + 1, ref budget));
                r.ReadEndArray();
                _ = count;
                return list;
            }
            case CborReaderState.StartMap:
            {
                r.ReadStartMap();
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                while (r.PeekState() != CborReaderState.EndMap)
                {
                    var key = Read(r, depth + 1, ref budget);
                    var value = Read(r, depth + 1, ref budget);
                    // Integer keys (COSE headers) are kept under their decimal text.
                    var name = key switch { string s => s, long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture), _ => null }
                               ?? throw new CredentialFormatException("a CBOR map key is neither text nor an integer");
                    if (!map.TryAdd(name, value)) throw new CredentialFormatException($"a CBOR map repeats the key '{name}'");
                }
                r.ReadEndMap();
                return map;
            }
            case CborReaderState.HalfPrecisionFloat:
            case CborReaderState.SinglePrecisionFloat:
            case CborReaderState.DoublePrecisionFloat:
                return r.ReadDouble();
            default:
                r.SkipValue();
                return null;
        }
    }

    public static T? Get<T>(this Dictionary<string, object?> map, string key) where T : class => map.TryGetValue(key, out var v) ? v as T : null;

    public static long? GetLong(this Dictionary<string, object?> map, string key) => map.TryGetValue(key, out var v) && v is long l ? l : null;
}
