using System.CommandLine;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Consent;
using Atelier.Governance.Keys;
using Atelier.Provenance.Credentials;

namespace Atelier.Cli;

/// <summary>
/// <c>subject</c>, <c>consent</c> and <c>keys</c>: thin shells over the consent ledger and key rotation.
/// Nothing here prints personal data except <c>subject show --reveal</c> (admins, audited).
/// </summary>
public static class ConsentCommands
{
    public static Command Subject(CliContext c)
    {
        var subject = new Command("subject", "Depicted people: their sealed personal data, opaque ids, and the images they appear in");
        subject.Subcommands.Add(SubjectAdd(c));
        subject.Subcommands.Add(SubjectList(c));
        subject.Subcommands.Add(SubjectShow(c));
        subject.Subcommands.Add(SubjectLink(c));
        subject.Subcommands.Add(SubjectUnlink(c));
        return subject;
    }

    public static Command Consent(CliContext c)
    {
        var consent = new Command("consent", "Consents of subjects over images, with the signed release stored sealed");
        consent.Subcommands.Add(Grant(c));
        consent.Subcommands.Add(Revoke(c));
        consent.Subcommands.Add(ConsentList(c));
        consent.Subcommands.Add(ConsentShow(c));
        return consent;
    }

    public static Command Keys(CliContext c)
    {
        var keys = new Command("keys", "The workspace key ring");
        var rotate = new Command("rotate", "New active key; re-seal all personal data, releases, quarantined bytes and the signing key under it (admin). Old keys stay, retired, so the audit log still verifies");
        rotate.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var session = GovernanceSession.For(ws);
            var result = KeyRotation.Rotate(session);
            bool signing = SigningIdentity.Reseal(session);
            if (c.Json(parse)) c.WriteJson(new { result.OldKeyId, result.NewKeyId, result.Subjects, result.Documents, result.Quarantined, SigningKeyResealed = signing });
            else
                c.Host.Out.WriteLine($"Rotated key {result.OldKeyId} -> {result.NewKeyId}; re-sealed {result.Subjects} subject record(s), " +
                                     $"{result.Documents} signed release(s), {result.Quarantined} quarantined item(s)" + (signing ? ", the signing key" : ""));
            return 0;
        }));
        keys.Subcommands.Add(rotate);
        keys.Subcommands.Add(InitSigning(c));
        return keys;
    }

    private static Command InitSigning(CliContext c)
    {
        var cert = new Option<string?>("--cert") { Description = "Bring your own signing certificate: a PEM file (the certificate, then any intermediates); needs --key" };
        var key = new Option<string?>("--key") { Description = "The PEM EC P-256 private key of --cert" };
        var ca = new Option<string?>("--ca") { Description = "PEM trust anchor(s) that issued --cert (else the root at the end of the --cert file)" };
        var command = new Command("init-signing",
            "Make the workspace's C2PA signing identity (admin): a workspace CA and a signing certificate it issues, private keys sealed; " +
            "or bring your own with --cert/--key. Never replaces an existing one")
        {
            cert, key, ca,
        };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var session = GovernanceSession.For(ws);
            string Text(string file) => File.ReadAllText(Path.GetFullPath(file, c.Host.CurrentDirectory));
            var (certFile, keyFile, caFile) = (parse.GetValue(cert), parse.GetValue(key), parse.GetValue(ca));
            if ((certFile is null) != (keyFile is null)) throw new AtelierException("usage", "--cert and --key go together");
            if (caFile is not null && certFile is null) throw new AtelierException("usage", "--ca is for a certificate brought with --cert");
            foreach (var file in new[] { certFile, keyFile, caFile })
                if (file is not null && !File.Exists(Path.GetFullPath(file, c.Host.CurrentDirectory))) throw new AtelierException("not-found", $"{file} does not exist");
            using var identity = certFile is null
                ? SigningIdentity.Initialize(session, DateTimeOffset.UtcNow)
                : SigningIdentity.Import(session, Text(certFile), Text(keyFile!), caFile is null ? null : Text(caFile), DateTimeOffset.UtcNow);
            var result = new
            {
                source = identity.Source,
                subject = identity.Certificate.Subject,
                issuer = identity.Certificate.Issuer,
                notAfter = identity.Certificate.NotAfter.ToUniversalTime(),
                stored = SigningIdentity.PathIn(ws),
                trustAnchors = SigningIdentity.AnchorsPathIn(ws),
            };
            if (c.Json(parse)) c.WriteJson(result);
            else
                c.Host.Out.WriteLine($"Signing certificate '{result.subject}' issued by '{result.issuer}', valid until {result.notAfter:yyyy-MM-dd}; " +
                                     $"stored in {result.stored} (keys sealed); give validators {result.trustAnchors} as the trust anchor");
            return 0;
        }));
        return command;
    }

    private static Command SubjectAdd(CliContext c)
    {
        var from = new Option<string?>("--from") { Description = "JSON file with the fields below (legalName, otherNames, dob, idType, idIssuer, idNumber, verificationMethod, verifier, verifiedAt, custodian), so personal data need not go on a command line; options override it" };
        var legalName = new Option<string?>("--legal-name") { Description = "Full legal name" };
        var otherNames = new Option<string[]>("--other-name") { Description = "Another name the person uses (repeatable)" };
        var dob = new Option<string?>("--dob") { Description = "Date of birth, YYYY-MM-DD" };
        var idType = new Option<string?>("--id-type") { Description = "ID document type (passport, driving licence, ...)" };
        var idIssuer = new Option<string?>("--id-issuer") { Description = "Who issued the ID document" };
        var idNumber = new Option<string?>("--id-number") { Description = "ID document number" };
        var method = new Option<string?>("--verification-method") { Description = "How the identity and age were verified" };
        var verifier = new Option<string?>("--verifier") { Description = "Who verified them" };
        var verifiedAt = new Option<string?>("--verified-at") { Description = "When: YYYY-MM-DD or an ISO 8601 time" };
        var custodian = new Option<string?>("--custodian") { Description = "Custodian of records (who keeps the originals)" };
        var command = new Command("add", "Record a depicted person (admin); prints only the opaque subject id")
        {
            from, legalName, otherNames, dob, idType, idIssuer, idNumber, method, verifier, verifiedAt, custodian,
        };
        // A value with a space left unquoted would come back in the parser's "unrecognized argument" error: personal data on stderr.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            if (parse.UnmatchedTokens.Count > 0)
                throw new AtelierException("usage", $"{parse.UnmatchedTokens.Count} unexpected word(s) after the options (not repeated here: they may be personal data); " +
                                                    "quote values that contain spaces, or use --from FILE");
            var typed = new SubjectForm
            {
                LegalName = parse.GetValue(legalName), OtherNames = parse.GetValue(otherNames), Dob = parse.GetValue(dob),
                IdType = parse.GetValue(idType), IdIssuer = parse.GetValue(idIssuer), IdNumber = parse.GetValue(idNumber),
                VerificationMethod = parse.GetValue(method), Verifier = parse.GetValue(verifier), VerifiedAt = parse.GetValue(verifiedAt),
                Custodian = parse.GetValue(custodian),
            };
            var form = parse.GetValue(from) is { } file ? SubjectForm.FromJsonFile(Path.GetFullPath(file, c.Host.CurrentDirectory)).With(typed) : typed;
            var details = form.ToDetails(DateTimeOffset.UtcNow);
            var row = GovernanceSession.For(ws).Consent.AddSubject(details);
            if (c.Json(parse)) c.WriteJson(new { subject = row.PublicId, verified = details.Verified });
            else c.Host.Out.WriteLine(row.PublicId);
            return 0;
        }));
        return command;
    }

    private static Command SubjectList(CliContext c)
    {
        var command = new Command("list", "Subjects by opaque id: verified or not, linked images, consents (no personal data)");
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var subjects = GovernanceSession.For(ws).Consent.ListSubjects();
            if (c.Json(parse))
            {
                c.WriteJson(new { subjects });
                return 0;
            }
            if (subjects.Count == 0) c.Host.Out.WriteLine("No subjects (add one with 'atelier subject add')");
            else c.Host.Out.WriteLine($"{"subject",-11} {"verified",-8} {"images",6}  consents");
            foreach (var s in subjects)
                c.Host.Out.WriteLine($"{s.SubjectId,-11} {(s.Verified ? "yes" : "no"),-8} {s.LinkedImages,6}  {s.ActiveConsents} active, {s.ExpiredConsents} expired, {s.RevokedConsents} revoked");
            return 0;
        }));
        return command;
    }

    private static Command SubjectShow(CliContext c)
    {
        var id = new Argument<string>("SUBJECT") { Description = "Subject id (S-xxxxxxxx)" };
        var reveal = new Option<bool>("--reveal") { Description = "Also show the personal data (admin, needs the key; the reading is audited)" };
        var command = new Command("show", "A subject's links and consents; personal data only with --reveal") { id, reveal };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var ledger = GovernanceSession.For(ws).Consent;
            var publicId = parse.GetValue(id)!;
            // Revealed first, so that a refused reveal prints nothing at all.
            var details = parse.GetValue(reveal) ? ledger.Reveal(publicId) : null;
            var view = ledger.Describe(publicId);
            if (c.Json(parse))
            {
                c.WriteJson(new { subject = view.Summary, images = view.Images, consents = view.Consents, personalData = details });
                return 0;
            }
            var o = c.Host.Out;
            var s = view.Summary;
            o.WriteLine($"{s.SubjectId}  verified: {(s.Verified ? "yes" : "no")}  added by {s.CreatedBy} {Day(s.CreatedAt)}");
            if (details is not null)
            {
                o.WriteLine($"  legal name      {details.LegalName}");
                if (details.OtherNames.Count > 0) o.WriteLine($"  other names     {string.Join("; ", details.OtherNames)}");
                o.WriteLine($"  date of birth   {details.DateOfBirth:yyyy-MM-dd}");
                o.WriteLine($"  ID document     {details.IdDocumentType ?? "-"} / {details.IdIssuer ?? "-"} / {details.IdNumber ?? "-"}");
                o.WriteLine($"  verified        {details.VerificationMethod ?? "-"} by {details.Verifier ?? "-"} at {(details.VerifiedAt is { } v ? Time(v) : "-")}");
                o.WriteLine($"  custodian       {details.Custodian ?? "-"}");
            }
            o.WriteLine($"  images ({view.Images.Count}): {Ids(view.Images.Select(i => i.ImageId))}");
            var captured = view.Images.Where(i => i.CapturedAt is not null).GroupBy(i => Day(i.CapturedAt!.Value)).ToList();
            foreach (var g in captured) o.WriteLine($"    captured {g.Key}: {Ids(g.Select(i => i.ImageId))}");
            if (view.Images.Count > 0 && captured.Sum(g => g.Count()) < view.Images.Count)
                o.WriteLine($"    no capture date: {Ids(view.Images.Where(i => i.CapturedAt is null).Select(i => i.ImageId))}");
            o.WriteLine($"  consents ({view.Consents.Count})");
            foreach (var cv in view.Consents) WriteConsentLine(o, cv, "    ");
            return 0;
        }));
        return command;
    }

    private static Command SubjectLink(CliContext c)
    {
        var selector = TagCommands.SelectorArgument();
        var subject = new Option<string>("--subject") { Description = "Subject id (S-xxxxxxxx)", Required = true };
        var captured = new Option<string?>("--captured") { Description = "Capture date of these images (YYYY-MM-DD or ISO 8601); else each image's own capture date" };
        var command = new Command("link", "Say that a subject appears in the selected images") { selector, subject, captured };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var when = parse.GetValue(captured) is { } text ? CliContext.ParseTime(text, "--captured") : (DateTimeOffset?)null;
            var ledger = GovernanceSession.For(ws).Consent;
            var sel = Selector.Parse(parse.GetValue(selector)!);
            var linked = ledger.Link(parse.GetValue(subject)!, sel, when);
            var publicId = ledger.GetSubject(parse.GetValue(subject)!).PublicId;
            if (c.Json(parse)) c.WriteJson(new { subject = publicId, linked, capturedAt = when });
            else c.Host.Out.WriteLine($"Linked {publicId} to {linked} image(s){(when is { } w ? $", captured {Day(w)}" : "")}");
            return 0;
        }));
        return command;
    }

    private static Command SubjectUnlink(CliContext c)
    {
        var selector = TagCommands.SelectorArgument();
        var subject = new Option<string>("--subject") { Description = "Subject id (S-xxxxxxxx)", Required = true };
        var reason = new Option<string>("--reason") { Description = "Why the link is taken back (recorded and shown in taint causes; no personal data)", Required = true };
        var command = new Command("unlink", "Take back a subject's link to the selected images; what was built on them is tainted") { selector, subject, reason };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var result = GovernanceSession.For(ws).Consent.Unlink(parse.GetValue(subject)!, Selector.Parse(parse.GetValue(selector)!), parse.GetValue(reason)!);
            if (c.Json(parse)) c.WriteJson(result);
            else c.Host.Out.WriteLine($"Unlinked {result.Subject} from {result.Unlinked} image(s); newly tainted: {result.Tainted.Snapshots} snapshot(s), " +
                                      $"{result.Tainted.Runs} run(s), {result.Tainted.Checkpoints} checkpoint(s)");
            return 0;
        }));
        return command;
    }

    private static Command Grant(CliContext c)
    {
        var subject = new Option<string>("--subject") { Description = "Subject id (S-xxxxxxxx)", Required = true };
        var scope = new Option<string>("--scope") { Description = $"What the consent covers, comma-separated: {string.Join(", ", ConsentScope.All)}", Required = true };
        var images = new Option<string>("--images") { Description = "Selector of the images covered (they must be linked to the subject)", Required = true };
        var expires = new Option<string?>("--expires") { Description = "When the consent ends (YYYY-MM-DD: at the start of that day, UTC; or ISO 8601)" };
        var document = new Option<string>("--document") { Description = "The signed release (any file; stored encrypted)", Required = true };
        var command = new Command("grant", "Record a subject's consent over images, with the signed release") { subject, scope, images, expires, document };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var until = parse.GetValue(expires) is { } text ? CliContext.ParseTime(text, "--expires") : (DateTimeOffset?)null;
            var row = GovernanceSession.For(ws).Consent.Grant(parse.GetValue(subject)!, [parse.GetValue(scope)!], Selector.Parse(parse.GetValue(images)!), until,
                Path.GetFullPath(parse.GetValue(document)!, c.Host.CurrentDirectory));
            var count = ws.Catalog.ImagesOfConsent(row.Id).Count;
            if (c.Json(parse)) c.WriteJson(new { consent = row.Id, subject = row.SubjectPublicId, scopes = row.Scopes, images = count, expiresAt = row.ExpiresAt });
            else c.Host.Out.WriteLine($"Consent {row.Id}: {row.SubjectPublicId}, {string.Join(",", row.Scopes)}, {count} image(s){(row.ExpiresAt is { } e ? $", expires {Time(e)}" : "")}");
            return 0;
        }));
        return command;
    }

    private static Command Revoke(CliContext c)
    {
        var id = new Argument<long>("CONSENT") { Description = "Consent id" };
        var reason = new Option<string>("--reason") { Description = "Why it is withdrawn (recorded and shown in taint causes; no personal data)", Required = true };
        var command = new Command("revoke", "Withdraw a consent; every snapshot, run and checkpoint built on its images is tainted") { id, reason };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var result = GovernanceSession.For(ws).Consent.Revoke(parse.GetValue(id), parse.GetValue(reason)!);
            if (c.Json(parse))
            {
                c.WriteJson(new { consent = result.Consent, tainted = new { snapshots = result.Snapshots, runs = result.Runs, checkpoints = result.Checkpoints } });
                return 0;
            }
            var o = c.Host.Out;
            o.WriteLine($"Revoked consent {result.Consent.ConsentId} of {result.Consent.SubjectId} ({result.Consent.Images} image(s))");
            if (result.Snapshots.Count == 0) o.WriteLine("  nothing downstream was built on these images");
            else
            {
                o.WriteLine($"  tainted snapshots ({result.Snapshots.Count}): {string.Join(", ", result.Snapshots)}");
                o.WriteLine($"  tainted runs ({result.Runs.Count}): {(result.Runs.Count == 0 ? "-" : string.Join(", ", result.Runs))}");
                o.WriteLine($"  tainted checkpoints ({result.Checkpoints.Count}): {(result.Checkpoints.Count == 0 ? "-" : Ids(result.Checkpoints))}");
            }
            return 0;
        }));
        return command;
    }

    private static Command ConsentList(CliContext c)
    {
        var subject = new Option<string?>("--subject") { Description = "Only this subject's consents" };
        var command = new Command("list", "Consents: subject, scopes, state (active, expired, revoked), images") { subject };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var consents = GovernanceSession.For(ws).Consent.ListConsents(parse.GetValue(subject));
            if (c.Json(parse))
            {
                c.WriteJson(new { consents });
                return 0;
            }
            if (consents.Count == 0) c.Host.Out.WriteLine("No consents");
            foreach (var cv in consents) WriteConsentLine(c.Host.Out, cv, "");
            return 0;
        }));
        return command;
    }

    private static Command ConsentShow(CliContext c)
    {
        var id = new Argument<long>("CONSENT") { Description = "Consent id" };
        var saveRelease = new Option<string?>("--save-release") { Description = "Also write the signed release, decrypted, to this file (admin, needs the key; audited)" };
        var command = new Command("show", "One consent: scopes, state, the images it covers, who granted or revoked it") { id, saveRelease };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var ledger = GovernanceSession.For(ws).Consent;
            var detail = ledger.DescribeConsent(parse.GetValue(id));
            string? saved = null;
            if (parse.GetValue(saveRelease) is { } target)
            {
                saved = Path.GetFullPath(target, c.Host.CurrentDirectory);
                if (File.Exists(saved)) throw new AtelierException("file-exists", $"{saved} already exists; the release is never written over a file");
                // Decrypted personal data: owner-only from the first byte, and never over a file another process made meanwhile.
                try { AtomicFile.WriteAllBytes(saved, ledger.RevealDocument(detail.Consent.ConsentId).Bytes, replace: false, mode: UnixFileMode.UserRead | UnixFileMode.UserWrite); }
                catch (IOException) when (File.Exists(saved))
                {
                    throw new AtelierException("file-exists", $"{saved} already exists; the release is never written over a file");
                }
            }
            if (c.Json(parse))
            {
                c.WriteJson(new { consent = detail.Consent, imageIds = detail.ImageIds, releaseSavedTo = saved });
                return 0;
            }
            var o = c.Host.Out;
            var cv = detail.Consent;
            o.WriteLine($"consent {cv.ConsentId} of {cv.SubjectId}: {cv.State}");
            o.WriteLine($"  scopes     {string.Join(", ", cv.Scopes)}");
            o.WriteLine($"  expires    {(cv.ExpiresAt is { } e ? Time(e) : "never")}");
            o.WriteLine($"  granted    by {cv.GrantedBy} at {Time(cv.GrantedAt)}");
            if (cv.RevokedAt is { } r) o.WriteLine($"  revoked    by {cv.RevokedBy} at {Time(r)}: {cv.RevokeReason}");
            o.WriteLine($"  selector   {cv.Selector}");
            o.WriteLine($"  images ({detail.ImageIds.Count}): {Ids(detail.ImageIds)}");
            o.WriteLine(saved is null ? "  release    stored encrypted (--save-release FILE to read it; admin)" : $"  release    decrypted to {saved}");
            return 0;
        }));
        return command;
    }

    private static void WriteConsentLine(TextWriter o, ConsentView cv, string indent) =>
        o.WriteLine($"{indent}{cv.ConsentId,5}  {cv.SubjectId,-11} {cv.State,-8} {string.Join(",", cv.Scopes),-32} {cv.Images,5} image(s)" +
                    (cv.ExpiresAt is { } e ? $"  expires {Time(e)}" : ""));

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset t) =>
        t.UtcDateTime.TimeOfDay == TimeSpan.Zero ? Day(t) : t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Image ids compactly: runs of consecutive ids as ranges (the selector syntax), at most 40 terms.</summary>
    private static string Ids(IEnumerable<long> ids)
    {
        var sorted = ids.Distinct().Order().ToList();
        if (sorted.Count == 0) return "-";
        var terms = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            terms.Add(j == i ? sorted[i].ToString(CultureInfo.InvariantCulture) : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return terms.Count <= 40 ? string.Join(",", terms) : string.Join(",", terms.Take(40)) + ",...";
    }
}
