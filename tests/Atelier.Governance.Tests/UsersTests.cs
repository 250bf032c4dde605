using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.TestSupport;

namespace Atelier.Governance.Tests;

public sealed class UsersTests
{
    [Fact]
    public void A_user_acts_only_with_their_own_token_and_within_their_role()
    {
        using var t = new TempWorkspace();
        var (owner, ownerToken) = GovernanceSession.Initialize(t.Workspace, "olga", _ => null);
        Assert.Equal(new Actor("olga", Role.Admin), owner.Actor);
        var (_, token) = owner.Users.Add("vic", Role.Viewer);
        var (_, other) = owner.Users.Add("ana", Role.Annotator);

        var vic = GovernanceSession.Open(t.Workspace, _ => null, "vic", token);
        Assert.Equal(Role.Viewer, vic.Actor.Role);
        var refused = Assert.Throws<AtelierException>(() => vic.Actor.Require(Role.Annotator, "tag images"));
        Assert.Equal("forbidden", refused.Code);
        Assert.Contains("vic (viewer) may not tag images", refused.Message);

        Assert.Equal("bad-token", Assert.Throws<AtelierException>(() => GovernanceSession.Open(t.Workspace, _ => null, "vic", other)).Code);
        Assert.Equal("bad-token", Assert.Throws<AtelierException>(() => GovernanceSession.Open(t.Workspace, _ => null, "nobody", token)).Code);
        Assert.Equal("no-token", Assert.Throws<AtelierException>(() => GovernanceSession.Open(t.Workspace, _ => null, "vic", null)).Code);
        Assert.Equal("olga", GovernanceSession.Open(t.Workspace, _ => null, "olga", ownerToken).Actor.Name);

        t.Catalog.UpdateUser("vic", disabled: true);
        Assert.Equal("bad-token", Assert.Throws<AtelierException>(() => GovernanceSession.Open(t.Workspace, _ => null, "vic", token)).Code);
        Assert.Equal("user-exists", Assert.Throws<AtelierException>(() => owner.Users.Add("ana", Role.Admin)).Code);
        Assert.Equal("bad-role", Assert.Throws<AtelierException>(() => Roles.Parse("superuser")).Code);
        Assert.DoesNotContain(other, t.Catalog.UserTokenSha256("ana")!); // only the digest is kept
    }

    [Fact]
    public void A_user_the_studio_signed_in_acts_with_their_current_role_and_a_disabled_one_not_at_all()
    {
        using var t = new TempWorkspace();
        var (owner, _) = GovernanceSession.Initialize(t.Workspace, "olga", _ => null);
        owner.Users.Add("ana", Role.Annotator);
        using (var ws = Workspace.Open(t.Directory))
            Assert.Equal(new Actor("ana", Role.Annotator), GovernanceSession.OpenAs(ws, _ => null, "ana").Actor);
        UserAdministration.SetRole(owner, "ana", Role.Reviewer);
        using (var ws = Workspace.Open(t.Directory))
            Assert.Equal(Role.Reviewer, GovernanceSession.OpenAs(ws, _ => null, "ana").Actor.Role);
        UserAdministration.Disable(owner, "ana");
        using (var ws = Workspace.Open(t.Directory))
        {
            Assert.Equal("bad-user", Assert.Throws<AtelierException>(() => GovernanceSession.OpenAs(ws, _ => null, "ana")).Code);
            Assert.Equal("bad-user", Assert.Throws<AtelierException>(() => GovernanceSession.OpenAs(ws, _ => null, "nobody")).Code);
        }
    }

    [Fact]
    public void A_rating_made_on_a_stale_view_is_refused_and_an_applied_one_is_audited()
    {
        using var t = new TempWorkspace();
        var (owner, _) = GovernanceSession.Initialize(t.Workspace, "olga", _ => null);
        var id = t.AddImage(new string('c', 64));
        var change = Annotations.RateShown(owner, id, "general", 0);
        Assert.Equal(new RatingChange(true, "general", 1, null), change);
        var entry = t.Catalog.LastAuditEntry()!;
        Assert.Equal(("olga", "rate"), (entry.Actor, entry.Action));
        var stale = Assert.Throws<StaleRatingException>(() => Annotations.RateShown(owner, id, "explicit", 0));
        Assert.Equal("stale-rating", stale.Code);
        Assert.Equal($"image {id}'s rating was changed by someone else since it was shown: it is now general; nothing was changed", stale.Message);
        Assert.Equal(entry.Seq, t.Catalog.LastAuditEntry()!.Seq);
        Assert.Equal("unknown-image", Assert.Throws<AtelierException>(() => Annotations.RateShown(owner, 999, "general", 0)).Code);
        owner.Users.Add("vic", Role.Viewer);
        using var ws = Workspace.Open(t.Directory);
        Assert.Equal("forbidden", Assert.Throws<AtelierException>(() => Annotations.RateShown(GovernanceSession.OpenAs(ws, _ => null, "vic"), id, "general", 1)).Code);
    }

    [Fact]
    public void Passwords_are_set_by_admins_for_anyone_and_by_users_for_themselves()
    {
        using var t = new TempWorkspace();
        var (owner, _) = GovernanceSession.Initialize(t.Workspace, "olga", _ => null);
        owner.Users.Add("ana", Role.Annotator);
        owner.Users.Add("bob", Role.Viewer);
        UserAdministration.SetPassword(owner, "bob", "hash-by-admin");
        using var ws = Workspace.Open(t.Directory);
        var ana = GovernanceSession.OpenAs(ws, _ => null, "ana");
        UserAdministration.SetPassword(ana, "ana", "hash-by-ana");
        Assert.Equal("forbidden", Assert.Throws<AtelierException>(() => UserAdministration.SetPassword(ana, "bob", "x")).Code);
        Assert.Equal(("hash-by-admin", "hash-by-ana"), (t.Catalog.UserPasswordHash("bob"), t.Catalog.UserPasswordHash("ana")));
        Assert.Equal("unknown-user", Assert.Throws<AtelierException>(() => UserAdministration.SetPassword(owner, "nobody", "x")).Code);
    }

    [Fact]
    public void A_workspace_made_before_governance_is_set_up_on_first_use()
    {
        using var t = new TempWorkspace();
        var session = GovernanceSession.Open(t.Workspace, name => name == "USER" ? "pat" : null);
        Assert.Equal(new Actor("pat", Role.Admin), session.Actor);
        Assert.True(File.Exists(session.Keys.FilePath));
        Assert.True(session.Audit.Verify().Intact);
    }
}
