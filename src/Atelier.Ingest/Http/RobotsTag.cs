namespace Atelier.Ingest.Http;

/// <summary>Reads the AI opt-out directives of an <c>X-Robots-Tag</c> header.</summary>
public static class RobotsTag
{
    /// <summary>
    /// True when any value carries the <c>noai</c> or <c>noimageai</c> directive, bare or scoped to a bot
    /// (<c>otherbot: noai</c>). Other directives (<c>none</c>, <c>noindex</c>) are about search, not training, and do not opt out.
    /// </summary>
    public static bool OptsOutOfAi(IEnumerable<string> values)
    {
        foreach (var value in values)
            foreach (var token in value.Split([',', ';', ':', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                if (token.Equals("noai", StringComparison.OrdinalIgnoreCase) || token.Equals("noimageai", StringComparison.OrdinalIgnoreCase))
                    return true;
        return false;
    }
}
