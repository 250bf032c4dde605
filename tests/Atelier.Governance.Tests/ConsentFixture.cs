using Atelier.Catalog;
using Atelier.Governance.Consent;
using Atelier.TestSupport;

namespace Atelier.Governance.Tests;

/// <summary>A real workspace (SQLite file, blob store, key ring on disk) with governance set up and a few image records.</summary>
public sealed class ConsentFixture : IDisposable
{
    public static readonly Func<string, string?> NoEnvironment = _ => null;

    public TempWorkspace Temp { get; } = new();
    public Workspace Workspace => Temp.Workspace;
    public Catalog.Catalog Catalog => Temp.Catalog;
    public GovernanceSession Session { get; }
    public IReadOnlyList<long> Images { get; }
    public string KeyRingPath => Path.Combine(Workspace.DataDirectory, "keyring.json");

    public ConsentFixture(int images = 4)
    {
        (Session, _) = GovernanceSession.Initialize(Workspace, "owner", NoEnvironment);
        Images = Enumerable.Range(0, images).Select(i => Temp.AddImage(Convert.ToHexStringLower(BitConverter.GetBytes((long)i + 1)).PadRight(64, 'a'))).ToList();
    }

    public static SubjectDetails Person(string name = "Test Person", string idNumber = "ID-0001", DateOnly? dob = null) => new()
    {
        LegalName = name,
        OtherNames = ["Stage Name"],
        DateOfBirth = dob ?? new DateOnly(1990, 3, 4),
        IdDocumentType = "passport",
        IdIssuer = "Testland",
        IdNumber = idNumber,
        VerificationMethod = "document check",
        Verifier = "verifier",
        VerifiedAt = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero),
        Custodian = "records office",
    };

    /// <summary>A file holding a signed release (any bytes will do).</summary>
    public string Document(string text = "signed release", string name = "release.txt")
    {
        var path = Path.Combine(Temp.Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public static Selector Ids(IEnumerable<long> ids) => Selector.Parse(string.Join(",", ids));

    /// <summary>A subject linked to all images, captured in 2025, with one generative-training consent over them.</summary>
    public (string Subject, ConsentRow Consent) SubjectWithConsent(string name = "Test Person", string idNumber = "ID-0001", string document = "signed release")
    {
        var subject = Session.Consent.AddSubject(Person(name, idNumber)).PublicId;
        Session.Consent.Link(subject, Ids(Images), new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero));
        var consent = Session.Consent.Grant(subject, [ConsentScope.GenerativeTraining], Ids(Images), null, Document(document));
        return (subject, consent);
    }

    public void Dispose() => Temp.Dispose();
}
