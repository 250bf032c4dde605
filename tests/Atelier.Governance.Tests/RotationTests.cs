using System.Text;
using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Keys;
using Microsoft.Data.Sqlite;

namespace Atelier.Governance.Tests;

public class RotationTests
{
    /// <summary>A quarantine row as the blocklist stage writes it: the original bytes sealed into a blob.</summary>
    private static (string Sha, string Blob) Quarantine(ConsentFixture f, byte[] original)
    {
        var sha = BlobStore.Sha256Hex(original);
        var blob = f.Workspace.Blobs.Put(f.Session.Sealer.Seal(original, Blocklists.Quarantine.SealPurpose(sha)));
        using var db = new SqliteConnection($"Data Source={f.Catalog.DatabasePath};Pooling=False");
        db.Open();
        using var cmd = db.CreateCommand();
        cmd.CommandText = """
                          INSERT INTO blocklists(id, name, version, kind, entries, file_sha256, imported_by, imported_at) VALUES(1, 'list', '1', 'sha256', 1, 'x', 'owner', '2026-01-01T00:00:00.000Z');
                          INSERT INTO quarantine(sha256, list_id, sealed_blob, quarantined_by, quarantined_at) VALUES($s, 1, $b, 'owner', '2026-01-01T00:00:00.000Z');
                          """;
        cmd.Parameters.AddWithValue("$s", sha);
        cmd.Parameters.AddWithValue("$b", blob);
        cmd.ExecuteNonQuery();
        return (sha, blob);
    }

    /// <summary>Every sealed value the workspace holds, read straight from the catalog and blob store.</summary>
    private static List<byte[]> SealedValues(ConsentFixture f) =>
    [
        .. f.Catalog.ListSubjects().Select(s => s.Sealed),
        .. f.Catalog.ListConsents().SelectMany(c => new[] { c.DocumentSealed, f.Workspace.Blobs.Read(c.DocumentBlob) }),
        .. f.Catalog.QuarantineSeals().Select(q => f.Workspace.Blobs.Read(q.SealedBlob)),
    ];

    [Fact]
    public void RotationReSealsEverythingUnderTheNewKeyAndTheAuditLogStillVerifies()
    {
        using var f = new ConsentFixture();
        var (subject, consent) = f.SubjectWithConsent("Ruth Example", "R-55", "the release");
        var original = Encoding.UTF8.GetBytes("quarantined bytes");
        var (sha, quarantineBlob) = Quarantine(f, original);
        var oldKey = f.Session.Keys.Active.Id;
        Assert.All(SealedValues(f), v => Assert.Equal(oldKey, Sealer.KeyIdOf(v)));
        var before = f.Session.Audit.Verify();
        Assert.True(before.Intact, before.Problem);

        var result = KeyRotation.Rotate(f.Session);

        Assert.Equal((oldKey, 1, 1, 1), (result.OldKeyId, result.Subjects, result.Documents, result.Quarantined));
        Assert.NotEqual(oldKey, result.NewKeyId);
        Assert.Equal(result.NewKeyId, f.Session.Keys.Active.Id);
        var values = SealedValues(f);
        Assert.Equal(4, values.Count);
        Assert.All(values, v => Assert.Equal(result.NewKeyId, Sealer.KeyIdOf(v)));
        Assert.False(f.Workspace.Blobs.Contains(consent.DocumentBlob));
        Assert.False(f.Workspace.Blobs.Contains(quarantineBlob));

        // A fresh session reads the ring from disk: the new key is active, the old one retired but kept.
        var reopened = GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment);
        Assert.Equal(result.NewKeyId, reopened.Keys.Active.Id);
        Assert.NotNull(reopened.Keys.Find(oldKey).Retired);
        Assert.Equal("Ruth Example", reopened.Consent.Reveal(subject).LegalName);
        Assert.Equal("the release", Encoding.UTF8.GetString(reopened.Consent.RevealDocument(consent.Id).Bytes));
        var q = f.Catalog.QuarantineSeals().Single();
        Assert.Equal(original, reopened.Sealer.Open(f.Workspace.Blobs.Read(q.SealedBlob), Blocklists.Quarantine.SealPurpose(sha)));

        var verified = reopened.Audit.Verify();
        Assert.True(verified.Intact, verified.Problem);
        var entries = f.Catalog.AllAuditEntries();
        Assert.Contains(entries, e => e.KeyId == oldKey);
        var rotated = entries.Single(e => e.Action == AuditAction.KeysRotated);
        Assert.Equal(result.NewKeyId, rotated.KeyId);
        Assert.Contains(oldKey, rotated.Detail);
        Assert.Contains(result.NewKeyId, rotated.Detail);
    }

    [Fact]
    public void ACrashBeforeTheReSealCommitsLeavesEverythingReadableAndRotationCanRunAgain()
    {
        using var f = new ConsentFixture();
        var (subject, consent) = f.SubjectWithConsent("Ruth Example", "R-55", "the release");
        var oldKey = f.Session.Keys.Active.Id;

        Assert.Throws<IOException>(() => KeyRotation.Rotate(f.Session, beforeCommit: () => throw new IOException("power cut")));

        // The ring on disk already holds the new key, but every value is still sealed with the old one, which it keeps.
        var afterCrash = GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment);
        Assert.NotEqual(oldKey, afterCrash.Keys.Active.Id);
        Assert.All(SealedValues(f), v => Assert.Equal(oldKey, Sealer.KeyIdOf(v)));
        Assert.Equal("Ruth Example", afterCrash.Consent.Reveal(subject).LegalName);
        Assert.Equal("the release", Encoding.UTF8.GetString(afterCrash.Consent.RevealDocument(consent.Id).Bytes));
        Assert.DoesNotContain(f.Catalog.AllAuditEntries(), e => e.Action == AuditAction.KeysRotated);
        Assert.True(afterCrash.Audit.Verify().Intact);

        var again = KeyRotation.Rotate(afterCrash);
        Assert.Equal(3, afterCrash.Keys.Keys.Count);
        Assert.All(SealedValues(f), v => Assert.Equal(again.NewKeyId, Sealer.KeyIdOf(v)));
        Assert.Equal("Ruth Example", afterCrash.Consent.Reveal(subject).LegalName);
        Assert.True(afterCrash.Audit.Verify().Intact);
    }

    [Fact]
    public void ASessionLoadedBeforeAnotherRotationKeepsThatRotationsKey()
    {
        using var f = new ConsentFixture();
        var (subject, consent) = f.SubjectWithConsent("Ruth Example", "R-55", "the release");
        var stale = GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment);
        var first = KeyRotation.Rotate(f.Session);

        // The stale session still holds only the original key; its rotation must not drop the first rotation's key.
        var second = KeyRotation.Rotate(stale);

        Assert.Equal(first.NewKeyId, second.OldKeyId);
        var reopened = GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment);
        Assert.Equal(3, reopened.Keys.Keys.Count);
        Assert.Equal(second.NewKeyId, reopened.Keys.Active.Id);
        Assert.All(SealedValues(f), v => Assert.Equal(second.NewKeyId, Sealer.KeyIdOf(v)));
        Assert.Equal("Ruth Example", reopened.Consent.Reveal(subject).LegalName);
        Assert.Equal("the release", Encoding.UTF8.GetString(reopened.Consent.RevealDocument(consent.Id).Bytes));
        Assert.True(reopened.Audit.Verify().Intact);
    }

    [Fact]
    public void OnlyOneRotationRunsAtATime()
    {
        using var f = new ConsentFixture();
        f.SubjectWithConsent();
        var before = f.Session.Keys.Active.Id;
        using (new FileStream(f.KeyRingPath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            Assert.Equal("rotation-running", Assert.Throws<AtelierException>(() => KeyRotation.Rotate(f.Session)).Code);
        Assert.Equal(before, GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment).Keys.Active.Id);
        Assert.NotEqual(before, KeyRotation.Rotate(f.Session).NewKeyId);
    }

    [Fact]
    public void OnlyAnAdminWithAKeyFileMayRotate()
    {
        using var f = new ConsentFixture();
        var (_, token) = f.Session.Users.Add("rita", Role.Reviewer);
        var reviewer = GovernanceSession.Open(f.Workspace, ConsentFixture.NoEnvironment, "rita", token);
        var ringBefore = File.ReadAllBytes(f.KeyRingPath);
        Assert.Equal("forbidden", Assert.Throws<AtelierException>(() => KeyRotation.Rotate(reviewer)).Code);
        Assert.Equal(ringBefore, File.ReadAllBytes(f.KeyRingPath));

        var inline = Convert.ToBase64String(new byte[32]);
        var fromEnvironment = GovernanceSession.Open(f.Workspace, k => k == KeyRing.KeyVariable ? inline : null);
        Assert.Equal("key-in-environment", Assert.Throws<AtelierException>(() => KeyRotation.Rotate(fromEnvironment)).Code);
    }
}
