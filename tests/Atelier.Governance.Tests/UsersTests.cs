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
    public void A_workspace_made_before_governance_is_set_up_on_first_use()
    {
        using var t = new TempWorkspace();
        var session = GovernanceSession.Open(t.Workspace, name => name == "USER" ? "pat" : null);
        Assert.Equal(new Actor("pat", Role.Admin), session.Actor);
        Assert.True(File.Exists(session.Keys.FilePath));
        Assert.True(session.Audit.Verify().Intact);
    }
}
