using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

public sealed partial class Catalog
{
    private const string ImageColumns =
        "images.id, sha256, size_bytes, format, width, height, orientation, has_alpha, has_icc, bits, frames, pdq, pdq_quality, " +
        "blur, mean_luma, dark_fraction, bright_fraction, entropy, thumb_sha256, rating, excluded, exclude_reason, captured_at, " +
        "images.source, images.license, images.source_url, images.added_at, pdq_displayed, pdq_pipeline, rating_version";

    public long? FindImageId(string sha256) =>
        Scalar("SELECT id FROM images WHERE sha256 = $s", ("$s", sha256)) is long id ? id : null;

    public long ImageCount => (long)Scalar("SELECT COUNT(*) FROM images WHERE quarantined = 0")!;

    /// <summary>Adds a new image with its first provenance and tags; returns its id.</summary>
    public long AddImage(ImageRecord r, Provenance provenance, IEnumerable<Tag> tags)
    {
        var now = DateTimeOffset.UtcNow;
        var id = (long)Scalar(
            """
            INSERT INTO images(sha256, size_bytes, format, width, height, orientation, has_alpha, has_icc, bits, frames, pdq, pdq_quality,
              pdq_displayed, pdq_pipeline, blur, mean_luma, dark_fraction, bright_fraction, entropy, thumb_sha256, rating, captured_at, source, license, source_url, added_at)
            VALUES($sha, $size, $format, $w, $h, $o, $alpha, $icc, $bits, $frames, $pdq, $pq, $pdqd, $pipe, $blur, $luma, $dark, $bright, $ent, $thumb,
              $rating, $cap, $src, $lic, $url, $at)
            RETURNING id
            """,
            ("$sha", r.Sha256), ("$size", r.SizeBytes), ("$format", r.Format), ("$w", r.Width), ("$h", r.Height), ("$o", r.Orientation),
            ("$alpha", r.HasAlpha), ("$icc", r.HasColorProfile), ("$bits", r.BitsPerChannel), ("$frames", r.Frames), ("$pdq", r.Pdq),
            ("$pq", r.PdqQuality), ("$pdqd", r.PdqDisplayed), ("$pipe", r.PdqPipeline), ("$blur", r.BlurVariance), ("$luma", r.MeanLuma), ("$dark", r.DarkFraction), ("$bright", r.BrightFraction),
            ("$ent", r.Entropy), ("$thumb", r.ThumbnailSha256), ("$rating", r.Rating), ("$cap", r.CapturedAt is { } c ? Time(c) : null),
            ("$src", provenance.Source), ("$lic", provenance.License), ("$url", provenance.SourceUrl), ("$at", Time(now)))!;
        AddProvenance(id, provenance);
        AddTags([id], tags);
        return id;
    }

    /// <summary>Records another origin of a known image (an exact duplicate). False if this origin was already recorded.</summary>
    public bool AddProvenance(long imageId, Provenance p) =>
        Exec("""
             INSERT OR IGNORE INTO provenance(image_id, ingest_id, origin, file_name, source, license, source_url, metadata, added_at)
             VALUES($id, $ingest, $origin, $file, $src, $lic, $url, $meta, $at)
             """,
            ("$id", imageId), ("$ingest", p.IngestId), ("$origin", p.Origin), ("$file", p.FileName), ("$src", p.Source),
            ("$lic", p.License), ("$url", p.SourceUrl), ("$meta", p.MetadataJson), ("$at", Time(DateTimeOffset.UtcNow))) == 1;

    public IReadOnlyList<long> SelectIds(Selector selector)
    {
        using var cmd = Cmd($"SELECT images.id FROM images WHERE {selector.WhereSql} ORDER BY images.id", selector);
        using var r = cmd.ExecuteReader();
        var ids = new List<long>();
        while (r.Read()) ids.Add(r.GetInt64(0));
        return ids;
    }

    public long Count(Selector selector)
    {
        using var cmd = Cmd($"SELECT COUNT(*) FROM images WHERE {selector.WhereSql}", selector);
        return (long)cmd.ExecuteScalar()!;
    }

    public IReadOnlyList<ImageRecord> ListImages(Selector selector, int limit = int.MaxValue, long offset = 0)
    {
        using var cmd = Cmd($"SELECT {ImageColumns} FROM images WHERE {selector.WhereSql} ORDER BY images.id LIMIT $limit OFFSET $offset", selector);
        cmd.Parameters.AddWithValue("$limit", limit);
        cmd.Parameters.AddWithValue("$offset", offset);
        return ReadImages(cmd);
    }

    /// <summary>A page of the selection in id order after <paramref name="afterId"/> (keyset paging: as fast at the end of 100,000 images as at the start).</summary>
    public IReadOnlyList<ImageRecord> ListImagesAfter(Selector selector, long afterId, int limit)
    {
        using var cmd = Cmd($"SELECT {ImageColumns} FROM images WHERE {selector.WhereSql} AND images.id > $after ORDER BY images.id LIMIT $limit", selector);
        cmd.Parameters.AddWithValue("$after", afterId);
        cmd.Parameters.AddWithValue("$limit", limit);
        return ReadImages(cmd);
    }

    public ImageRecord? GetImage(long id)
    {
        using var cmd = Cmd($"SELECT {ImageColumns} FROM images WHERE images.id = $id AND images.quarantined = 0", ("$id", id));
        return ReadImages(cmd).FirstOrDefault();
    }

    public ImageDetails? GetDetails(long id)
    {
        var image = GetImage(id);
        if (image is null) return null;
        var flags = new List<ImageFlag>();
        using (var cmd = Cmd("SELECT flag, detail FROM image_flags WHERE image_id = $id ORDER BY flag", ("$id", id)))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) flags.Add(new ImageFlag(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1)));
        var provenance = new List<Provenance>();
        using (var cmd = Cmd("SELECT origin, file_name, source, license, source_url, metadata, ingest_id, added_at FROM provenance WHERE image_id = $id ORDER BY id", ("$id", id)))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                provenance.Add(new Provenance(r.GetString(0), Str(r, 1), r.GetString(2), Str(r, 3), Str(r, 4), Str(r, 5),
                    r.IsDBNull(6) ? null : r.GetInt64(6), ParseTime(r.GetString(7))));
        var near = new List<NearDuplicate>();
        using (var cmd = Cmd(
                   "SELECT other_id, distance FROM near_duplicates WHERE image_id = $id UNION SELECT image_id, distance FROM near_duplicates WHERE other_id = $id ORDER BY 2, 1",
                   ("$id", id)))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) near.Add(new NearDuplicate(r.GetInt64(0), r.GetInt32(1)));
        return new ImageDetails(image, TagsOf(id), flags, provenance, near);
    }

    public int SetRating(IReadOnlyCollection<long> ids, string? rating)
    {
        if (rating is not null && !Selector.Ratings.Contains(rating))
            throw new AtelierException("bad-rating", $"unknown rating '{rating}': use general, sensitive, questionable, explicit (or unrated)");
        return ForEachId(ids, "UPDATE images SET rating = $v, rating_version = rating_version + 1 WHERE id = $id AND rating IS NOT $v", ("$v", rating));
    }

    /// <summary>
    /// Rates one image only if its rating is still at <paramref name="shownVersion"/> (optimistic concurrency: the version the
    /// person was shown). Returns whether it changed and the rating and version now stored; null if the image is not visible.
    /// </summary>
    public RatingChange? RateIfUnchanged(long id, string? rating, long shownVersion)
    {
        if (rating is not null && !Selector.Ratings.Contains(rating))
            throw new AtelierException("bad-rating", $"unknown rating '{rating}': use general, sensitive, questionable, explicit (or unrated)");
        return InWriteTransaction(() =>
        {
            using var read = Cmd("SELECT rating, rating_version FROM images WHERE id = $id AND quarantined = 0", ("$id", id));
            using var r = read.ExecuteReader();
            if (!r.Read()) return null;
            var (current, version) = (Str(r, 0), r.GetInt64(1));
            if (version != shownVersion || current == rating) return new RatingChange(false, current, version, current);
            Exec("UPDATE images SET rating = $v, rating_version = rating_version + 1 WHERE id = $id", ("$id", id), ("$v", rating));
            return (RatingChange?)new RatingChange(true, rating, version + 1, current);
        });
    }

    public int SetExcluded(IReadOnlyCollection<long> ids, bool excluded, string? reason) =>
        ForEachId(ids, "UPDATE images SET excluded = $e, exclude_reason = $r WHERE id = $id AND (excluded != $e OR exclude_reason IS NOT $r)",
            ("$e", excluded), ("$r", excluded ? reason : null));

    public IEnumerable<string> AllSha256()
    {
        using var cmd = Cmd("SELECT sha256 FROM images");
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return r.GetString(0);
    }

    /// <summary>Every image's PDQ hash, for building the near-duplicate index.</summary>
    /// <summary>Each visible image's PDQ hash as displayed (what near duplicates are found by).</summary>
    public IEnumerable<(long Id, byte[] Pdq, int Quality)> AllPdqHashes()
    {
        using var cmd = Cmd("SELECT id, COALESCE(pdq_displayed, pdq), pdq_quality FROM images WHERE pdq IS NOT NULL AND quarantined = 0 ORDER BY id");
        using var r = cmd.ExecuteReader();
        while (r.Read()) yield return (r.GetInt64(0), (byte[])r[1], r.GetInt32(2));
    }

    public void SetFlag(long imageId, string flag, string? detail) =>
        Exec("INSERT OR REPLACE INTO image_flags(image_id, flag, detail) VALUES($id, $f, $d)", ("$id", imageId), ("$f", flag), ("$d", detail));

    /// <summary>
    /// Replaces the flags curation manages (others, such as ones a reviewer set, stay), on images up to
    /// <paramref name="throughImageId"/> (all when null): curation judged those, and images another
    /// process ingested meanwhile keep what their ingest recorded.
    /// </summary>
    public void ReplaceFlags(IReadOnlyCollection<string> managedFlags, IEnumerable<(long ImageId, string Flag, string? Detail)> flags, long? throughImageId = null)
    {
        foreach (var f in managedFlags) Exec("DELETE FROM image_flags WHERE flag = $f AND ($max IS NULL OR image_id <= $max)", ("$f", f), ("$max", throughImageId));
        using var insert = Cmd("INSERT OR REPLACE INTO image_flags(image_id, flag, detail) VALUES($id, $f, $d)");
        var pid = insert.Parameters.Add("$id", SqliteType.Integer);
        var pf = insert.Parameters.Add("$f", SqliteType.Text);
        var pd = insert.Parameters.Add("$d", SqliteType.Text);
        foreach (var (id, flag, detail) in flags)
        {
            pid.Value = id;
            pf.Value = flag;
            pd.Value = (object?)detail ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>Replaces the near-duplicate pairs among images up to <paramref name="throughImageId"/> (all when null); pairs with a later image stay.</summary>
    public void ReplaceNearDuplicates(IEnumerable<(long ImageId, long OtherId, int Distance)> pairs, long? throughImageId = null)
    {
        Exec("DELETE FROM near_duplicates WHERE $max IS NULL OR (image_id <= $max AND other_id <= $max)", ("$max", throughImageId));
        AddNearDuplicates(pairs);
    }

    public void AddNearDuplicates(IEnumerable<(long ImageId, long OtherId, int Distance)> pairs)
    {
        using var insert = Cmd("INSERT OR REPLACE INTO near_duplicates(image_id, other_id, distance) VALUES($a, $b, $d)");
        var pa = insert.Parameters.Add("$a", SqliteType.Integer);
        var pb = insert.Parameters.Add("$b", SqliteType.Integer);
        var pd = insert.Parameters.Add("$d", SqliteType.Integer);
        foreach (var (a, b, d) in pairs)
        {
            (pa.Value, pb.Value, pd.Value) = (Math.Min(a, b), Math.Max(a, b), d);
            insert.ExecuteNonQuery();
        }
    }

    private int ForEachId(IReadOnlyCollection<long> ids, string sql, params (string, object?)[] parameters)
    {
        using var cmd = Cmd(sql, parameters);
        var pid = cmd.Parameters.Add("$id", SqliteType.Integer);
        var changed = 0;
        foreach (var id in ids)
        {
            pid.Value = id;
            changed += cmd.ExecuteNonQuery();
        }
        return changed;
    }

    private static string? Str(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static double? Dbl(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static List<ImageRecord> ReadImages(SqliteCommand cmd)
    {
        using var r = cmd.ExecuteReader();
        var list = new List<ImageRecord>();
        while (r.Read())
        {
            list.Add(new ImageRecord
            {
                Id = r.GetInt64(0), Sha256 = r.GetString(1), SizeBytes = r.GetInt64(2), Format = r.GetString(3),
                Width = r.GetInt32(4), Height = r.GetInt32(5), Orientation = r.GetInt32(6), HasAlpha = r.GetBoolean(7),
                HasColorProfile = r.GetBoolean(8), BitsPerChannel = r.GetInt32(9), Frames = r.GetInt32(10),
                Pdq = r.IsDBNull(11) ? null : (byte[])r[11], PdqQuality = r.IsDBNull(12) ? null : r.GetInt32(12),
                BlurVariance = Dbl(r, 13), MeanLuma = Dbl(r, 14), DarkFraction = Dbl(r, 15), BrightFraction = Dbl(r, 16), Entropy = Dbl(r, 17),
                ThumbnailSha256 = Str(r, 18), Rating = Str(r, 19), Excluded = r.GetBoolean(20), ExcludeReason = Str(r, 21),
                CapturedAt = Str(r, 22) is { } c ? ParseTime(c) : null, Source = r.GetString(23), License = Str(r, 24), SourceUrl = Str(r, 25),
                AddedAt = ParseTime(r.GetString(26)), PdqDisplayed = r.IsDBNull(27) ? null : (byte[])r[27], PdqPipeline = r.GetInt32(28),
                RatingVersion = r.GetInt64(29),
            });
        }
        return list;
    }

    /// <summary>Visible images whose PDQ hash an older pipeline computed (oldest first, at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<(long Id, string Sha256)> ImagesWithOldPdq(long afterId, int limit)
    {
        using var cmd = Cmd("SELECT id, sha256 FROM images WHERE pdq_pipeline < $p AND quarantined = 0 AND id > $after ORDER BY id LIMIT $n",
            ("$p", PdqPipelines.Current), ("$after", afterId), ("$n", limit));
        using var r = cmd.ExecuteReader();
        var list = new List<(long, string)>();
        while (r.Read()) list.Add((r.GetInt64(0), r.GetString(1)));
        return list;
    }

    /// <summary>
    /// Stores a hash the current pipeline computed, unless another process did first or the image was quarantined meanwhile.
    /// True when this call changed the row.
    /// </summary>
    public bool SetCurrentPdq(long imageId, byte[]? pdq, int? quality, byte[]? displayed) =>
        Exec("""
             UPDATE images SET pdq = $pdq, pdq_quality = $q, pdq_displayed = $d, pdq_pipeline = $p
             WHERE id = $i AND pdq_pipeline < $p AND quarantined = 0
             """,
            ("$pdq", pdq), ("$q", quality), ("$d", displayed), ("$p", PdqPipelines.Current), ("$i", imageId)) == 1;
}
