using System.Globalization;
using System.Security;
using System.Text;
using System.Xml;

namespace Atelier.Provenance.Credentials;

/// <summary>What the XMP packet of a generated image says: IPTC's digital source type, the software and the sample.</summary>
public sealed record XmpFacts(string? DigitalSourceType, string? SoftwareAgent, string? SampleId, DateTimeOffset? Created);

/// <summary>
/// The XMP packet Atelier writes: <c>Iptc4xmpExt:DigitalSourceType</c> (IPTC's machine-readable "made by a trained
/// model"), <c>xmp:CreatorTool</c> (the software agent), <c>dc:identifier</c> (the sample id) and <c>xmp:CreateDate</c>.
/// </summary>
public static class XmpMetadata
{
    public const string TrainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
    private const string IptcExt = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/";
    private const string Xmp = "http://ns.adobe.com/xap/1.0/";
    private const string Dc = "http://purl.org/dc/elements/1.1/";
    private const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";

    private const char Bom = '\uFEFF';

    public static byte[] Packet(string softwareAgent, string sampleId, DateTimeOffset created)
    {
        var xml = $"""
            <?xpacket begin="{Bom}" id="W5M0MpCehiHzreSzNTczkc9d"?>
            <x:xmpmeta xmlns:x="adobe:ns:meta/">
             <rdf:RDF xmlns:rdf="{Rdf}">
              <rdf:Description rdf:about=""
                xmlns:Iptc4xmpExt="{IptcExt}"
                xmlns:xmp="{Xmp}"
                xmlns:dc="{Dc}"
                Iptc4xmpExt:DigitalSourceType="{TrainedAlgorithmicMedia}"
                xmp:CreatorTool="{SecurityElement.Escape(softwareAgent)}"
                xmp:CreateDate="{created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}"
                dc:identifier="{SecurityElement.Escape(sampleId)}"/>
             </rdf:RDF>
            </x:xmpmeta>
            <?xpacket end="r"?>
            """;
        return Encoding.UTF8.GetBytes(xml);
    }

    /// <summary>Reads the facts back; a one-line reason when the packet is not well-formed XML (no DTDs, bounded size).</summary>
    internal static XmpFacts Parse(byte[] packet)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = PngContainer.MaxXmp,
            IgnoreComments = true,
        };
        string? source = null, agent = null, sample = null, created = null;
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(packet), settings);
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element) continue;
                if (reader is { LocalName: "Description", NamespaceURI: Rdf } && reader.HasAttributes)
                {
                    source ??= reader.GetAttribute("DigitalSourceType", IptcExt);
                    agent ??= reader.GetAttribute("CreatorTool", Xmp);
                    sample ??= reader.GetAttribute("identifier", Dc);
                    created ??= reader.GetAttribute("CreateDate", Xmp);
                }
                // The element form of the same properties (other writers use it).
                else if (reader is { LocalName: "DigitalSourceType", NamespaceURI: IptcExt }) source ??= Text(reader);
                else if (reader is { LocalName: "CreatorTool", NamespaceURI: Xmp }) agent ??= Text(reader);
                else if (reader is { LocalName: "identifier", NamespaceURI: Dc }) sample ??= Text(reader);
                else if (reader is { LocalName: "CreateDate", NamespaceURI: Xmp }) created ??= Text(reader);
            }
        }
        catch (XmlException e)
        {
            throw new CredentialFormatException($"the XMP packet is not well-formed XML ({e.Message.Split('\n')[0]})");
        }
        DateTimeOffset? when = DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var w) ? w : null;
        return new XmpFacts(source, agent, sample, when);
    }

    /// <summary>The text of a simple element, or of the first rdf:li inside it (dc:identifier may be written as a bag).</summary>
    private static string? Text(XmlReader reader)
    {
        if (reader.IsEmptyElement) return null;
        var depth = reader.Depth;
        while (reader.Read() && reader.Depth > depth)
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA) return reader.Value.Trim();
        return null;
    }
}
