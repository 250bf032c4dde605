namespace Atelier.Catalog;

/// <summary>A quarantined item's sealed bytes as key rotation sees them: the blob holding them and the SHA-256 of the original.</summary>
public sealed record QuarantineSeal(long Id, string Sha256, string SealedBlob);

public sealed partial class Catalog
{
    /// <summary>Every quarantine row's sealed blob (key rotation re-seals them all).</summary>
    public IReadOnlyList<QuarantineSeal> QuarantineSeals()
    {
        using var cmd = Cmd("SELECT id, sha256, sealed_blob FROM quarantine ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<QuarantineSeal>();
        while (r.Read()) list.Add(new QuarantineSeal(r.GetInt64(0), r.GetString(1), r.GetString(2)));
        return list;
    }

    /// <summary>Points a quarantine row at its re-sealed blob.</summary>
    public void ResealQuarantine(long id, string sealedBlob) =>
        Exec("UPDATE quarantine SET sealed_blob = $b WHERE id = $i", ("$b", sealedBlob), ("$i", id));

    /// <summary>Whether any consent or quarantine row still names this blob (it must then not be deleted).</summary>
    public bool SealedBlobInUse(string sha256) =>
        (long)Scalar("SELECT (SELECT COUNT(*) FROM consents WHERE document_blob = $b) + (SELECT COUNT(*) FROM quarantine WHERE sealed_blob = $b)", ("$b", sha256))! > 0;
}
