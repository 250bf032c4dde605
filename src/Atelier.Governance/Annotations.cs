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
