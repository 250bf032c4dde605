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
        var distinct = names.Select(Tags.Normalize).Distinct().ToList();
        return RemoveTagLinks(ids.SelectMany(id => distinct.Select(n => (id, n)))).Count;
    }

    /// <summary>Adds each (image, tag) link not already there; returns exactly the links it added (for an exact undo).</summary>
    public IReadOnlyList<(long Image, Tag Tag)> AddTagLinks(IEnumerable<(long Image, Tag Tag)> links)
    {
        var added = new List<(long, Tag)>();
        using var insert = Cmd("INSERT OR IGNORE INTO image_tags(image_id, tag_id) SELECT $i, $t WHERE EXISTS (SELECT 1 FROM images WHERE id = $i AND quarantined = 0)");
        var pi = insert.Parameters.Add("$i", SqliteType.Integer);
        var pt = insert.Parameters.Add("$t", SqliteType.Integer);
        foreach (var (image, tag) in links.Distinct())
        {
            var id = EnsureTag(tag);
            pi.Value = image;
            pt.Value = id;
            if (insert.ExecuteNonQuery() == 1) added.Add((image, TagById(id)));
        }
        return added;
    }

    /// <summary>Removes each (image, tag name) link that is there; returns exactly the links it removed, with their categories.</summary>
    public IReadOnlyList<(long Image, Tag Tag)> RemoveTagLinks(IEnumerable<(long Image, string Name)> links)
    {
        var removed = new List<(long, Tag)>();
        using var delete = Cmd("DELETE FROM image_tags WHERE image_id = $i AND tag_id = $t");
        var pi = delete.Parameters.Add("$i", SqliteType.Integer);
        var pt = delete.Parameters.Add("$t", SqliteType.Integer);
        foreach (var (image, name) in links.Select(l => (l.Image, Tags.Normalize(l.Name))).Distinct())
        {
            if (Scalar("SELECT id FROM tags WHERE name = $n", ("$n", name)) is not long tagId) continue;
            pi.Value = image;
            pt.Value = tagId;
            if (delete.ExecuteNonQuery() == 1) removed.Add((image, TagById(tagId)));
        }
        return removed;
    }

    private Tag TagById(long id)
    {
        using var cmd = Cmd("SELECT name, category FROM tags WHERE id = $id", ("$id", id));
        using var r = cmd.ExecuteReader();
        r.Read();
        return new Tag(r.GetString(0), r.GetString(1));
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
