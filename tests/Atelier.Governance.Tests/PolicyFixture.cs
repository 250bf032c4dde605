using System.Security.Cryptography;
using Atelier.Catalog;
using Atelier.Governance.Consent;
using Atelier.TestSupport;
using Microsoft.Data.Sqlite;

namespace Atelier.Governance.Tests;

/// <summary>
/// A real workspace for policy tests: real PNGs in the blob store with their catalog records, a
/// governance session acting as the owner, and helpers for subjects, links and consents made
/// through the consent ledger.
/// </summary>
public sealed class PolicyFixture : IDisposable
{
    private int _seed;
    public TempWorkspace Temp { get; } = new();
    public Workspace Workspace => Temp.Workspace;
    public Catalog.Catalog Catalog => Temp.Catalog;
    public GovernanceSession Session { get; }
    public string Document { get; }

    /// <summary>A capture date when every adult subject made here was an adult.</summary>
    public static readonly DateTimeOffset Captured = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public PolicyFixture()
    {
        Session = GovernanceSession.Open(Workspace, _ => null);
        Document = Path.Combine(Temp.Directory, "release.pdf");
        File.WriteAllBytes(Document, "%PDF-1.4 signed model release (test)"u8.ToArray());
    }

    /// <summary>
    /// Adds a real image (a synthetic PNG, stored in the blob store) with the given facts; returns its id. Rated general unless told
    /// otherwise, since the strict policy needs a rating on every image; pass <c>rating: null</c> for an unrated one.
    /// </summary>
    public long Image(string? rating = "general", string? license = "MIT", string source = "test", int pdqQuality = 90, DateTimeOffset? captured = null)
    {
        var png = SyntheticImages.Png(48, 40, ++_seed);
        var sha = Workspace.Blobs.Put(png);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), sha);
        using var tx = Catalog.BeginTransaction();
        var id = Catalog.AddImage(
            new ImageRecord { Sha256 = sha, Format = "png", Width = 48, Height = 40, SizeBytes = png.Length, Source = source, Rating = rating, PdqQuality = pdqQuality, CapturedAt = captured },
            new Provenance($"test:{_seed}.png", $"{_seed}.png", source, license, null, null), []);
        tx.Commit();
        return id;
    }

    /// <summary>A subject born on <paramref name="born"/>; verified unless told otherwise.</summary>
    public string Subject(DateOnly born, bool verified = true) =>
        Session.Consent.AddSubject(new SubjectDetails
        {
            LegalName = "Alexandra Testperson",
            DateOfBirth = born,
            IdDocumentType = "passport",
            IdNumber = "X1234567",
            VerificationMethod = verified ? "document check" : null,
            Verifier = verified ? "agency" : null,
            VerifiedAt = verified ? new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero) : null,
        }).PublicId;

    public string Adult() => Subject(new DateOnly(1990, 3, 4));

    public void Link(string subject, long image, DateTimeOffset? captured) =>
        Session.Consent.Link(subject, Selector.Parse(Id(image)), captured);

    public long Grant(string subject, long image, string scopes = ConsentScope.GenerativeTraining, DateTimeOffset? expires = null) =>
        Session.Consent.Grant(subject, scopes.Split(','), Selector.Parse(Id(image)), expires, Document).Id;

    /// <summary>An explicit image of a verified adult, linked with a capture date and a generative-training consent: passes every rule.</summary>
    public (long Image, string Subject, long Consent) Consented(string rating = "explicit")
    {
        var image = Image(rating);
        var subject = Adult();
        Link(subject, image, Captured);
        return (image, subject, Grant(subject, image));
    }

    /// <summary>Runs SQL on the catalog file directly, as another process would (for states no command here makes, such as a quarantine).</summary>
    public void Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Catalog.DatabasePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Puts the image's SHA-256 in the quarantine table (under a blocklist), optionally also marking the image quarantined.</summary>
    public void Quarantine(long image, bool markImage)
    {
        var sha = Catalog.GetImage(image)!.Sha256;
        Sql("INSERT OR IGNORE INTO blocklists(id, name, version, kind, entries, file_sha256, imported_by, imported_at) " +
            "VALUES(1, 'test-list', '1', 'sha256', 1, 'x', 'owner', '2026-01-01T00:00:00Z')");
        Sql($"INSERT INTO quarantine(image_id, sha256, list_id, sealed_blob, quarantined_by, quarantined_at) VALUES({image}, '{sha}', 1, 'none', 'owner', '2026-01-01T00:00:00Z')");
        if (markImage) Sql($"UPDATE images SET quarantined = 1 WHERE id = {image}");
    }

    public static string Id(long image) => image.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose() => Temp.Dispose();
}
