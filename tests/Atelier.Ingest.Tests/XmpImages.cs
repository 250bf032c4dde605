using System.Buffers.Binary;
using System.Text;
using Atelier.TestSupport;

namespace Atelier.Ingest.Tests;

/// <summary>Synthetic JPEGs and PNGs with an XMP packet spliced in by hand, where the metadata reader looks for it.</summary>
internal static class XmpImages
{
    private const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private const string Plus = "http://ns.useplus.org/ldf/xmp/1.0/";

    /// <summary>A well-formed packet saying data mining is prohibited.</summary>
    public const string Prohibited =
        $"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{Rdf}"><rdf:Description rdf:about="" xmlns:plus="{Plus}" plus:DataMining="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"/></rdf:RDF></x:xmpmeta>""";

    /// <summary>A well-formed packet with nothing about data mining.</summary>
    public const string Harmless =
        $"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{Rdf}"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:format>image/png</dc:format></rdf:Description></rdf:RDF></x:xmpmeta>""";

    /// <summary>The prohibiting packet with its Description element never closed: not XML, so nothing in it can be read.</summary>
    public const string Broken =
        $"""<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="{Rdf}"><rdf:Description rdf:about="" xmlns:plus="{Plus}" plus:DataMining="http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED"></rdf:RDF></x:xmpmeta>""";

    /// <summary>A JPEG with an APP1 XMP segment right after SOI.</summary>
    public static byte[] Jpeg(string xmp, int seed = 1)
    {
        var jpeg = SyntheticImages.Jpeg(32, 24, seed);
        var payload = Encoding.UTF8.GetBytes("http://ns.adobe.com/xap/1.0/\0" + xmp);
        var segment = new byte[4 + payload.Length];
        segment[0] = 0xFF;
        segment[1] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), (ushort)(2 + payload.Length));
        payload.CopyTo(segment, 4);
        return [.. jpeg.AsSpan(0, 2), .. segment, .. jpeg.AsSpan(2)];
    }

    /// <summary>A PNG with an uncompressed iTXt XMP chunk right after IHDR.</summary>
    public static byte[] Png(string xmp, int seed = 1)
    {
        var png = SyntheticImages.Png(32, 24, seed);
        var data = Encoding.UTF8.GetBytes("XML:com.adobe.xmp\0\0\0\0\0" + xmp); // keyword, flag, method, language, translated keyword
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        "iTXt"u8.CopyTo(chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), System.IO.Hashing.Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
        const int afterIhdr = 8 + 25;
        return [.. png.AsSpan(0, afterIhdr), .. chunk, .. png.AsSpan(afterIhdr)];
    }

    /// <summary>A WebP with an <c>XMP </c> chunk appended to its RIFF container (size fixed up).</summary>
    public static byte[] Webp(byte[] webp, string xmp)
    {
        var data = Encoding.UTF8.GetBytes(xmp);
        var chunk = new byte[8 + data.Length + (data.Length & 1)];
        "XMP "u8.CopyTo(chunk);
        BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(4), (uint)data.Length);
        data.CopyTo(chunk, 8);
        byte[] result = [.. webp, .. chunk];
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(4), (uint)(result.Length - 8));
        return result;
    }

    /// <summary>
    /// A GIF with an XMP application extension before its trailer: the packet bytes, then the 258-byte "magic trailer"
    /// (0x01, 0xFF down to 0x00, 0x00) that lets GIF readers skip it as sub-blocks.
    /// </summary>
    public static byte[] Gif(byte[] gif, string xmp)
    {
        var trailer = new byte[258];
        trailer[0] = 0x01;
        for (int i = 0; i < 256; i++) trailer[1 + i] = (byte)(0xFF - i);
        byte[] extension = [0x21, 0xFF, 0x0B, .. "XMP DataXMP"u8, .. Encoding.UTF8.GetBytes(xmp), .. trailer];
        return [.. gif.AsSpan(0, gif.Length - 1), .. extension, gif[^1]];
    }
}
