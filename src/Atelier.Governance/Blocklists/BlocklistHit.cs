namespace Atelier.Governance.Blocklists;

/// <summary>Which list caught a file, and how closely: <see cref="Distance"/> is the PDQ distance, null for an exact hash.</summary>
public sealed record BlocklistHit(long ListId, string ListName, string ListVersion, BlocklistKind Kind, int? Distance)
{
    public string DistanceText => Distance is { } d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "exact";
}
