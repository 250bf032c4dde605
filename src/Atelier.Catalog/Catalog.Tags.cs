using Microsoft.Data.Sqlite;

namespace Atelier.Catalog;

public sealed partial class Catalog
{
    /// <summary>Adds tags to images (creating unknown tags in the given category); returns how many links were new.</summary>
    public int AddTags(IReadOnlyCollection<long> ids, IEnumerable<Tag> tags)
    {
        var tagIds = tags.Select(EnsureTag).Distinct().ToList();
        if (tagIds.Count == 0 || ids.Count == 0) return 0;
        using var insert = Cmd("INSERT OR IGNORE INTO image_tags(image_id, tag_id) VALUES($i, $t)");
        var pi = insert.Parameters.Add("$i", SqliteType.Integer);
        var pt = insert.Parameters.Add("$t", SqliteType.Integer);
        var added = 0;
        foreach (var id in ids)
        foreach (var t in tagIds)
        {
            pi.Value = id;
            pt.Value = t;
            added += insert.ExecuteNonQuery();
        }
        return added;
    }

    public int RemoveTags(IReadOnlyCollection<long> ids, IEnumerable<string> names)
    {
        var removed = 0;
        foreach (var name in names.Select(Tags.Normalize).Distinct())
        {
            if (Scalar("SELECT id FROM tags WHERE name = $n", ("$n", name)) is not long tagId) continue;
            removed += ForEachId(ids, "DELETE FROM image_tags WHERE image_id = $id AND tag_id = $t", ("$t", tagId));
        }
        return removed;
    }

    private long EnsureTag(Tag tag)
    {
        var name = Tags.Normalize(tag.Name);
        if (name.Length == 0) throw new AtelierException("bad-tag", "empty tag");
        if (Scalar("SELECT id FROM tags WHERE name = $n", ("$n", name)) is long id) return id;
        return (long)Scalar("INSERT INTO tags(name, category) VALUES($n, $c) RETURNING id", ("$n", name), ("$c", tag.Category.ToLowerInvariant()))!;
    }

    public IReadOnlyList<Tag> TagsOf(long imageId)
    {
        using var cmd = Cmd("SELECT t.name, t.category FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE it.image_id = $id ORDER BY t.category, t.name", ("$id", imageId));
        using var r = cmd.ExecuteReader();
        var list = new List<Tag>();
        while (r.Read()) list.Add(new Tag(r.GetString(0), r.GetString(1)));
        return list;
    }

    /// <summary>Tags of many images in one pass (for snapshots and exports).</summary>
    public Dictionary<long, List<Tag>> TagsOf(Selector selector)
    {
        using var cmd = Cmd($"SELECT it.image_id, t.name, t.category FROM image_tags it JOIN tags t ON t.id = it.tag_id WHERE it.image_id IN (SELECT images.id FROM images WHERE {selector.WhereSql})", selector);
        using var r = cmd.ExecuteReader();
        var map = new Dictionary<long, List<Tag>>();
        while (r.Read())
        {
            var id = r.GetInt64(0);
            if (!map.TryGetValue(id, out var list)) map[id] = list = [];
            list.Add(new Tag(r.GetString(1), r.GetString(2)));
        }
        return map;
    }

    /// <summary>Tag usage, most used first, optionally within a selection.</summary>
    public IReadOnlyList<TagCount> TagStatistics(Selector? selector = null, int limit = int.MaxValue)
    {
        // Over the whole catalog the count comes straight from the (tag, image) index.
        var where = selector is null || selector.Text == "all" ? "WHERE it." + NotQuarantined : $"WHERE it.image_id IN (SELECT images.id FROM images WHERE {selector.WhereSql})";
        using var cmd = Cmd(
            $"""
             SELECT t.name, t.category, c.n FROM (SELECT it.tag_id, COUNT(*) AS n FROM image_tags it {where} GROUP BY it.tag_id) c
             JOIN tags t ON t.id = c.tag_id ORDER BY c.n DESC, t.name LIMIT $limit
             """, selector ?? Selector.All);
        cmd.Parameters.AddWithValue("$limit", limit);
        using var r = cmd.ExecuteReader();
        var list = new List<TagCount>();
        while (r.Read()) list.Add(new TagCount(r.GetString(0), r.GetString(1), r.GetInt64(2)));
        return list;
    }
}
