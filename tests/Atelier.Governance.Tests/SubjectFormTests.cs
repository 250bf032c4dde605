using Atelier.Catalog;
using Atelier.Governance.Consent;

namespace Atelier.Governance.Tests;

public class SubjectFormTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static SubjectForm Complete => new()
    {
        LegalName = " Maren Holt ", OtherNames = ["M. Holt", "", "M. Holt"], Dob = "1994-09-30", IdType = "passport", IdIssuer = "Nowhere",
        IdNumber = "NH-1234567", VerificationMethod = "in person", Verifier = "kim", VerifiedAt = "2025-02-03T10:30:00Z", Custodian = "studio office",
    };

    [Fact]
    public void ACompleteFormBecomesAVerifiedRecord()
    {
        var d = Complete.ToDetails(Now);
        Assert.Equal("Maren Holt", d.LegalName);
        Assert.Equal(["M. Holt"], d.OtherNames);
        Assert.Equal(new DateOnly(1994, 9, 30), d.DateOfBirth);
        Assert.Equal(new DateTimeOffset(2025, 2, 3, 10, 30, 0, TimeSpan.Zero), d.VerifiedAt);
        Assert.True(d.Verified);
        Assert.Equal(32, d.AgeOn(new DateOnly(2026, 9, 30)));
        Assert.Equal(31, d.AgeOn(new DateOnly(2026, 9, 29)));
    }

    [Theory]
    [InlineData("dob", "30/09/1994", "the date of birth is not a date in the form YYYY-MM-DD")]
    [InlineData("dob", "2027-01-01", "the date of birth is in the future")]
    [InlineData("dob", null, "a subject needs a date of birth")]
    [InlineData("legal", "  ", "a subject needs a legal name")]
    [InlineData("verifier", null, "an identity verification needs all of")]
    [InlineData("verifiedAt", "yesterday-ish", "the verification time is not a date")]
    [InlineData("verifiedAt", "1990-01-01", "the verification time is before the date of birth")]
    [InlineData("idType", null, "an ID document number needs its document type")]
    public void ABadFieldIsRefusedByNameWithoutEchoingItsValue(string field, string? value, string reason)
    {
        var form = field switch
        {
            "dob" => Complete with { Dob = value },
            "legal" => Complete with { LegalName = value },
            "verifier" => Complete with { Verifier = value },
            "verifiedAt" => Complete with { VerifiedAt = value },
            _ => Complete with { IdType = value },
        };
        var e = Assert.Throws<AtelierException>(() => form.ToDetails(Now));
        Assert.Equal("bad-subject", e.Code);
        Assert.StartsWith(reason, e.Message);
        if (value is { Length: > 2 }) Assert.DoesNotContain(value.Trim(), e.Message);
    }

    [Fact]
    public void NoVerificationAtAllIsAnUnverifiedRecord()
    {
        var d = (Complete with { VerificationMethod = null, Verifier = null, VerifiedAt = null }).ToDetails(Now);
        Assert.False(d.Verified);
    }

    [Fact]
    public void AJsonFileFillsTheFormAndOptionsOverrideIt()
    {
        var dir = Directory.CreateTempSubdirectory("atelier-form-");
        try
        {
            var path = Path.Combine(dir.FullName, "subject.json");
            File.WriteAllText(path, """
                                    { "legalName": "Maren Holt", "otherNames": ["MH"], "dob": "1994-09-30", "idType": "passport",
                                      "idNumber": "NH-1234567", // comments are fine
                                      "verificationMethod": "in person", "verifier": "kim", "verifiedAt": "2025-02-03", }
                                    """);
            var d = SubjectForm.FromJsonFile(path).With(new SubjectForm { Custodian = "office", OtherNames = [] }).ToDetails(Now);
            Assert.Equal(("Maren Holt", "NH-1234567", "office"), (d.LegalName, d.IdNumber, d.Custodian));
            Assert.Equal(["MH"], d.OtherNames);
            Assert.True(d.Verified);

            File.WriteAllText(path, """{ "legalName": "Maren Holt", "dateOfBirth": "1994-09-30" }""");
            var misspelt = Assert.Throws<AtelierException>(() => SubjectForm.FromJsonFile(path));
            Assert.Equal("bad-subject-file", misspelt.Code);
            Assert.DoesNotContain("Maren", misspelt.Message);

            File.WriteAllText(path, """{ "legalName": "Maren Holt", "otherNames": "not a list" }""");
            var wrongType = Assert.Throws<AtelierException>(() => SubjectForm.FromJsonFile(path));
            Assert.Contains("$.otherNames", wrongType.Message);
            Assert.DoesNotContain("not a list", wrongType.Message);

            Assert.Equal("no-subject-file", Assert.Throws<AtelierException>(() => SubjectForm.FromJsonFile(Path.Combine(dir.FullName, "none.json"))).Code);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
