namespace Atelier.Governance.Consent;

/// <summary>
/// A depicted person's personal data. Only ever stored sealed (see <see cref="Keys.Sealer"/>); the
/// catalog knows a subject by an opaque id such as <c>S-3f9a1c2e</c>.
/// </summary>
public sealed record SubjectDetails
{
    public required string LegalName { get; init; }
    public IReadOnlyList<string> OtherNames { get; init; } = [];
    public required DateOnly DateOfBirth { get; init; }
    public string? IdDocumentType { get; init; }
    public string? IdIssuer { get; init; }
    public string? IdNumber { get; init; }
    public string? VerificationMethod { get; init; }
    public string? Verifier { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public string? Custodian { get; init; }

    /// <summary>An identity counts as verified only when how, by whom and when are all recorded.</summary>
    public bool Verified => !string.IsNullOrWhiteSpace(VerificationMethod) && !string.IsNullOrWhiteSpace(Verifier) && VerifiedAt is not null;

    /// <summary>Age in whole years on <paramref name="day"/>.</summary>
    public int AgeOn(DateOnly day)
    {
        var age = day.Year - DateOfBirth.Year;
        if (day < DateOfBirth.AddYears(age)) age--;
        return age;
    }
}

/// <summary>The consent scopes Atelier knows.</summary>
public static class ConsentScope
{
    public const string GenerativeTraining = "generative-training";
    public const string Likeness = "likeness";
    public static readonly string[] All = [GenerativeTraining, Likeness];
}
