namespace Atelier.Catalog;

/// <summary>A user's named grid filter in the studio.</summary>
public sealed record SavedView(string Name, string Selector, DateTimeOffset CreatedAt);

public sealed partial class Catalog
{
    public const int MaxViewsPerUser = 100;

    /// <summary>Saves (or replaces) the user's view <paramref name="name"/>; the selector must parse.</summary>
    public SavedView SaveView(string user, string name, string selector)
    {
        name = name.Trim();
        if (name.Length is 0 or > 64 || name.Any(char.IsControl))
            throw new AtelierException("bad-view", "a view's name has 1 to 64 characters");
        var text = Selector.Parse(selector).Text;
        return InWriteTransaction(() =>
        {
            if (ListViews(user).All(v => v.Name != name) && ListViews(user).Count >= MaxViewsPerUser)
                throw new AtelierException("too-many-views", $"at most {MaxViewsPerUser} saved views each; delete one first");
            var now = DateTimeOffset.UtcNow;
            Exec("INSERT INTO saved_views(user_name, name, selector, created_at) VALUES($u, $n, $s, $t) " +
                 "ON CONFLICT(user_name, name) DO UPDATE SET selector = excluded.selector, created_at = excluded.created_at",
                ("$u", user), ("$n", name), ("$s", text), ("$t", Time(now)));
            return new SavedView(name, text, now);
        });
    }

    public IReadOnlyList<SavedView> ListViews(string user)
    {
        using var cmd = Cmd("SELECT name, selector, created_at FROM saved_views WHERE user_name = $u ORDER BY name", ("$u", user));
        using var r = cmd.ExecuteReader();
        var list = new List<SavedView>();
        while (r.Read()) list.Add(new SavedView(r.GetString(0), r.GetString(1), ParseTime(r.GetString(2))));
        return list;
    }

    /// <summary>Deletes the user's view; false if they had none of that name.</summary>
    public bool DeleteView(string user, string name) =>
        Exec("DELETE FROM saved_views WHERE user_name = $u AND name = $n", ("$u", user), ("$n", name.Trim())) == 1;
}
