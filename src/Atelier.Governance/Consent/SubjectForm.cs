using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Atelier.Catalog;

namespace Atelier.Governance.Consent;

/// <summary>
/// A subject's personal data as typed in: command-line options or a JSON file with the same fields
/// (<c>legalName</c>, <c>otherNames</c>, <c>dob</c>, <c>idType</c>, <c>idIssuer</c>, <c>idNumber</c>,
/// <c>verificationMethod</c>, <c>verifier</c>, <c>verifiedAt</c>, <c>custodian</c>), so that personal
/// data need not appear on a command line. <see cref="ToDetails"/> checks it; its refusals name the
/// field, never the value, because the value is personal data.
/// </summary>
public sealed record SubjectForm
{
    public string? LegalName { get; init; }
    public IReadOnlyList<string>? OtherNames { get; init; }
    public string? Dob { get; init; }
    public string? IdType { get; init; }
    public string? IdIssuer { get; init; }
    public string? IdNumber { get; init; }
    public string? VerificationMethod { get; init; }
    public string? Verifier { get; init; }
    public string? VerifiedAt { get; init; }
    public string? Custodian { get; init; }

    /// <summary>Reads a form from a JSON file; unknown fields are refused so that a misspelt one is not silently dropped.</summary>
    public static SubjectForm FromJsonFile(string path)
    {
        if (!File.Exists(path)) throw new AtelierException("no-subject-file", "the subject file given with --from does not exist");
        try
        {
            return JsonSerializer.Deserialize<SubjectForm>(File.ReadAllBytes(path), JsonOptions)
                   ?? throw new AtelierException("bad-subject-file", "the subject file given with --from holds no JSON object");
        }
        catch (JsonException e)
        {
            // The path names the field; the exception text could quote a value, so it is not passed on.
            throw new AtelierException("bad-subject-file", $"the subject file given with --from is not a subject record (problem at {e.Path ?? "the top"}: " +
                                                           "expected an object with string fields legalName, otherNames (a list), dob, idType, idIssuer, idNumber, verificationMethod, verifier, verifiedAt, custodian)");
        }
    }

    /// <summary>This form with every field that <paramref name="other"/> fills in taken from it (command-line options over a file).</summary>
    public SubjectForm With(SubjectForm other) => new()
    {
        LegalName = other.LegalName ?? LegalName,
        OtherNames = other.OtherNames is { Count: > 0 } ? other.OtherNames : OtherNames,
        Dob = other.Dob ?? Dob,
        IdType = other.IdType ?? IdType,
        IdIssuer = other.IdIssuer ?? IdIssuer,
        IdNumber = other.IdNumber ?? IdNumber,
        VerificationMethod = other.VerificationMethod ?? VerificationMethod,
        Verifier = other.Verifier ?? Verifier,
        VerifiedAt = other.VerifiedAt ?? VerifiedAt,
        Custodian = other.Custodian ?? Custodian,
    };

    /// <summary>The checked record; a one-line refusal naming the field when something is missing or malformed.</summary>
    public SubjectDetails ToDetails(DateTimeOffset now)
    {
        var legalName = Text(LegalName, "legal-name") ?? throw Bad("a subject needs a legal name (--legal-name, or legalName in the --from file)");
        var dobText = Text(Dob, "dob") ?? throw Bad("a subject needs a date of birth (--dob YYYY-MM-DD, or dob in the --from file)");
        if (!DateOnly.TryParseExact(dobText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var dob))
            throw Bad("the date of birth is not a date in the form YYYY-MM-DD");
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (dob > today) throw Bad("the date of birth is in the future");
        if (dob < today.AddYears(-130)) throw Bad("the date of birth is more than 130 years ago");

        var method = Text(VerificationMethod, "verification-method");
        var verifier = Text(Verifier, "verifier");
        var verifiedText = Text(VerifiedAt, "verified-at");
        var given = new[] { method, verifier, verifiedText }.Count(v => v is not null);
        // Half a verification record is most likely a mistake, and it would silently count as unverified.
        if (given is 1 or 2) throw Bad("an identity verification needs all of --verification-method, --verifier and --verified-at");
        DateTimeOffset? verifiedAt = null;
        if (verifiedText is not null)
        {
            verifiedAt = ParseTime(verifiedText) ?? throw Bad("the verification time is not a date (YYYY-MM-DD) or an ISO 8601 time");
            if (verifiedAt > now.AddMinutes(5)) throw Bad("the verification time is in the future");
            if (DateOnly.FromDateTime(verifiedAt.Value.UtcDateTime) < dob) throw Bad("the verification time is before the date of birth");
        }

        var idNumber = Text(IdNumber, "id-number");
        var idType = Text(IdType, "id-type");
        if (idNumber is not null && idType is null) throw Bad("an ID document number needs its document type (--id-type)");

        return new SubjectDetails
        {
            LegalName = legalName,
            OtherNames = (OtherNames ?? []).Select(n => Text(n, "other-name")).OfType<string>().Distinct(StringComparer.Ordinal).ToList(),
            DateOfBirth = dob,
            IdDocumentType = idType,
            IdIssuer = Text(IdIssuer, "id-issuer"),
            IdNumber = idNumber,
            VerificationMethod = method,
            Verifier = verifier,
            VerifiedAt = verifiedAt,
            Custodian = Text(Custodian, "custodian"),
        };
    }

    /// <summary>A date (midnight UTC) or a full ISO 8601 time (UTC unless it says otherwise).</summary>
    public static DateTimeOffset? ParseTime(string text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) && text.Contains('T', StringComparison.Ordinal)
            ? t
            : null;
    }

    private static string? Text(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var trimmed = value.Trim();
        if (trimmed.Length > 500) throw Bad($"the {field} field is longer than 500 characters");
        if (trimmed.Any(char.IsControl)) throw Bad($"the {field} field holds control characters");
        return trimmed;
    }

    private static AtelierException Bad(string message) => new("bad-subject", message);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };
}
