namespace Atelier.Governance.Consent;

/// <summary>
/// What the policy's consent rule needs to know about one image, with personal data already reduced
/// to facts (verified or not, age at capture): the policy never handles names or document numbers.
/// </summary>
public sealed record ImageConsentFacts(long ImageId, IReadOnlyList<SubjectFacts> Subjects);

/// <summary>One linked subject of an image: identity verified, age on the capture date (null if no capture date), and the consents covering this image.</summary>
public sealed record SubjectFacts(string SubjectId, bool Verified, int? AgeAtCapture, DateTimeOffset? CapturedAt, IReadOnlyList<ConsentFacts> Consents);

/// <summary>A consent covering the image: its id, scopes, whether it is active (not revoked) and when it expires.</summary>
public sealed record ConsentFacts(long ConsentId, IReadOnlyList<string> Scopes, bool Active, DateTimeOffset? ExpiresAt)
{
    /// <summary>Active, unexpired at <paramref name="now"/>, and covering <paramref name="scope"/>.</summary>
    public bool Allows(string scope, DateTimeOffset now) => Active && (ExpiresAt is null || ExpiresAt > now) && Scopes.Contains(scope);
}
