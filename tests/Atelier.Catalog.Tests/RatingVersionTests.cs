using Atelier.TestSupport;

namespace Atelier.Catalog.Tests;

public sealed class RatingVersionTests
{
    [Fact]
    public void ARatingChangesOnlyFromTheVersionItWasShownAt()
    {
        using var t = new TempWorkspace();
        var id = t.AddImage(new string('a', 64));
        Assert.Equal(0, t.Catalog.GetImage(id)!.RatingVersion);

        Assert.Equal(new RatingChange(true, "general", 1, null), t.Catalog.RateIfUnchanged(id, "general", 0));
        // Shown version 0 again (a stale page): refused, with what is stored now.
        Assert.Equal(new RatingChange(false, "general", 1, "general"), t.Catalog.RateIfUnchanged(id, "explicit", 0));
        Assert.Equal("general", t.Catalog.GetImage(id)!.Rating);
        // The same rating again changes nothing and keeps the version.
        Assert.Equal(new RatingChange(false, "general", 1, "general"), t.Catalog.RateIfUnchanged(id, "general", 1));
        // Bulk rating (the CLI) raises the version of each image it changes, and only those.
        var other = t.AddImage(new string('b', 64), rating: "sensitive");
        Assert.Equal(1, t.Catalog.SetRating([id, other], "sensitive"));
        Assert.Equal(2, t.Catalog.GetImage(id)!.RatingVersion);
        Assert.Equal(0, t.Catalog.GetImage(other)!.RatingVersion);
        Assert.Null(t.Catalog.RateIfUnchanged(9999, "general", 0));
        Assert.Throws<AtelierException>(() => t.Catalog.RateIfUnchanged(id, "lewd", 2));
    }

    [Fact]
    public void ACatalogOfSchemaEightGainsRatingVersionsAndPasswordsOnOpen()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "catalog.db");
        Catalog.Open(path).Dispose();
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                ALTER TABLE runs DROP COLUMN worker;
                DROP TABLE image_features;
                DROP TABLE jobs;
                DROP TABLE saved_views;
                ALTER TABLE users DROP COLUMN password_hash;
                ALTER TABLE images DROP COLUMN rating_version;
                PRAGMA user_version = 8;
                INSERT INTO images(sha256, size_bytes, format, width, height, rating, source, added_at)
                VALUES('aa', 1, 'png', 8, 8, 'general', 's', '2026-12-01T00:00:00.0000000+00:00');
                INSERT INTO users(name, role, token_sha256, owner, created_at) VALUES('ann', 'annotator', 'x', 0, '2026-12-01T00:00:00.0000000+00:00');
                """;
            cmd.ExecuteNonQuery();
        }
        using var catalog = Catalog.Open(path);
        Assert.Equal(12, catalog.SchemaVersion);
        var image = catalog.GetImage(1)!;
        Assert.Equal(("general", 0L), (image.Rating, image.RatingVersion));
        Assert.Null(catalog.UserPasswordHash("ann"));
        catalog.SetUserPasswordHash("ann", "hash");
        Assert.Equal("hash", catalog.UserPasswordHash("ann"));
    }
}
