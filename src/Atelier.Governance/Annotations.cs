using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;

namespace Atelier.Governance;

/// <summary>
/// Changes people make to images — tags, ratings, exclusions — each checked against the actor's
/// role and recorded in the audit log in the same transaction as the change.
/// </summary>
public static class Annotations
{
    public sealed record Outcome(int Selected, int Changed);

    public static Outcome Rate(GovernanceSession session, Selector selector, string? rating) =>
        Change(session, Role.Annotator, "rate images", selector, AuditAction.Rate, ids => session.Workspace.Catalog.SetRating(ids, rating),
            new { rating = rating ?? "unrated" });

    /// <summary>
    /// Rates one image as someone who was shown its rating at <paramref name="shownVersion"/>. If anyone changed the rating
    /// since, nothing changes and the refusal names the rating now stored (and its version, to try again on).
    /// </summary>
    public static RatingChange RateShown(GovernanceSession session, long imageId, string? rating, long shownVersion)
    {
        session.Actor.Require(Role.Annotator, "rate images");
        var catalog = session.Workspace.Catalog;
        using var tx = catalog.BeginTransaction();
        var change = catalog.RateIfUnchanged(imageId, rating, shownVersion)
            ?? throw new AtelierException("unknown-image", $"no image {imageId}");
        if (change.Applied)
            session.Record(AuditAction.Rate, new { selector = imageId.ToString(System.Globalization.CultureInfo.InvariantCulture), selected = 1, changed = 1, detail = new { rating = rating ?? "unrated" } },
                GovernanceSession.Image(imageId));
        tx.Commit();
        if (!change.Applied && change.Version != shownVersion)
            throw new StaleRatingException(imageId, change);
        return change;
    }

    /// <summary>
    /// Adds and removes single (image, tag) links in one transaction, merging with everyone else's changes; returns exactly
    /// the links that changed, so that an undo can put back precisely those and nothing another person did.
    /// </summary>
    public static TagChange ChangeTags(GovernanceSession session, IReadOnlyList<(long Image, Tag Tag)> add, IReadOnlyList<(long Image, string Name)> remove)
    {
        session.Actor.Require(Role.Annotator, "tag images");
        var catalog = session.Workspace.Catalog;
        using var tx = catalog.BeginTransaction();
        var removed = catalog.RemoveTagLinks(remove);
        var added = catalog.AddTagLinks(add);
        tx.Commit();
        return new TagChange(added, removed);
    }

    /// <summary>
    /// Resolves a near-duplicate cluster: keeps <paramref name="keep"/> and excludes the others, in one transaction. Refused,
    /// changing nothing, when the image to keep was excluded meanwhile (someone else resolved the cluster another way), so
    /// that two reviewers at once never exclude every copy.
    /// </summary>
    public static Outcome KeepOneOfDuplicates(GovernanceSession session, long keep, IReadOnlyCollection<long> exclude)
    {
        session.Actor.Require(Role.Reviewer, "exclude images");
        var others = exclude.Where(id => id != keep).Distinct().Order().ToList();
        if (others.Count == 0) throw new AtelierException("bad-request", "name the copies to exclude besides the one to keep");
        var catalog = session.Workspace.Catalog;
        using var tx = catalog.BeginTransaction();
        var kept = catalog.GetImage(keep) ?? throw new AtelierException("unknown-image", $"no image {keep}");
        if (kept.Excluded)
            throw new AtelierException("stale-cluster", $"image {keep} was excluded meanwhile (someone resolved this cluster another way); nothing was changed");
        var reason = $"near duplicate of image {keep}";
        var changed = catalog.SetExcluded(others, true, reason);
        if (changed > 0)
            session.Record(AuditAction.Exclude, new { selector = string.Join(',', others), selected = others.Count, changed, detail = new { reason, kept = keep } },
                [.. others.Select(GovernanceSession.Image)]);
        tx.Commit();
        return new Outcome(others.Count, changed);
    }

    public static Outcome Exclude(GovernanceSession session, Selector selector, string reason) =>
        Change(session, Role.Reviewer, "exclude images", selector, AuditAction.Exclude, ids => session.Workspace.Catalog.SetExcluded(ids, true, reason),
            new { reason });

    public static Outcome Include(GovernanceSession session, Selector selector) =>
        Change(session, Role.Reviewer, "include images", selector, AuditAction.Include, ids => session.Workspace.Catalog.SetExcluded(ids, false, null), new { });

    public static Outcome AddTags(GovernanceSession session, Selector selector, IReadOnlyList<Tag> tags) =>
        Change(session, Role.Annotator, "tag images", selector, null, ids => session.Workspace.Catalog.AddTags(ids, tags), null);

    public static Outcome RemoveTags(GovernanceSession session, Selector selector, IReadOnlyList<string> names) =>
        Change(session, Role.Annotator, "untag images", selector, null, ids => session.Workspace.Catalog.RemoveTags(ids, names), null);

    private static Outcome Change(GovernanceSession session, Role needed, string what, Selector selector, string? action,
        Func<IReadOnlyCollection<long>, int> apply, object? detail)
    {
        session.Actor.Require(needed, what);
        var catalog = session.Workspace.Catalog;
        var ids = catalog.SelectIds(selector);
        using var tx = catalog.BeginTransaction();
        var changed = apply(ids);
        // Tags are not governance decisions; ratings and exclusions are (the policy's rules read them).
        if (action is not null && changed > 0)
            session.Record(action, new { selector = selector.Text, selected = ids.Count, changed, detail }, [.. ids.Select(GovernanceSession.Image)]);
        tx.Commit();
        return new Outcome(ids.Count, changed);
    }
}

/// <summary>The (image, tag) links one change added and removed.</summary>
public sealed record TagChange(IReadOnlyList<(long Image, Tag Tag)> Added, IReadOnlyList<(long Image, Tag Tag)> Removed);

/// <summary>A rating change refused because someone else changed the image's rating after it was shown.</summary>
public sealed class StaleRatingException(long imageId, RatingChange current)
    : AtelierException("stale-rating",
        $"image {imageId}'s rating was changed by someone else since it was shown: it is now {current.Rating ?? "unrated"}; nothing was changed")
{
    public RatingChange Current { get; } = current;
}
