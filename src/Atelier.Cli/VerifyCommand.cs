using System.CommandLine;
using System.Globalization;
using Atelier.Provenance.Credentials;
using Atelier.Provenance.Verification;

namespace Atelier.Cli;

/// <summary><c>atelier verify IMAGE...</c>: where each image came from, by its credentials and its invisible mark.</summary>
public static class VerifyCommand
{
    public static Command Create(CliContext c)
    {
        var files = new Argument<string[]>("IMAGE") { Description = "Image files to check", Arity = ArgumentArity.OneOrMore };
        var command = new Command("verify",
            "Check images: metadata and C2PA manifest (signature, chain to the workspace's anchors, hard binding), the invisible watermark " +
            "(found even when metadata was stripped or the file re-encoded), and the sample, checkpoint, run and snapshot it leads to, tainted or not. " +
            "Exit 0 when every file is one of this workspace's samples and none is tainted")
        {
            files,
        };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var verification = new ImageVerification(ws);
            var results = new List<VerifyResult>();
            foreach (var file in parse.GetValue(files)!)
            {
                c.Host.Cancellation.ThrowIfCancellationRequested();
                var result = verification.Verify(Path.GetFullPath(file, c.Host.CurrentDirectory)) with { File = file };
                results.Add(result);
                if (!c.Json(parse)) Describe(c.Host.Out, result);
            }
            if (c.Json(parse)) c.WriteJson(new { files = results });
            return results.All(r => r.Identified && r.Lineage?.Tainted == false) ? 0 : 1;
        }));
        return command;
    }

    private static void Describe(TextWriter o, VerifyResult r)
    {
        if (r.Problem is { } problem && r.Credentials is null)
        {
            o.WriteLine($"{r.File}: {problem}");
            return;
        }
        o.WriteLine(r.Lineage is { } l
            ? $"{r.File}: sample {l.SampleId} of run {l.Run} (checkpoint {l.CheckpointId} at {l.CheckpointImages / 1000.0:0.0##} kimg, seed {l.Seed}, #{l.Index}), trained on snapshot {l.Snapshot}"
            : $"{r.File}: not identified as a sample of this workspace");
        if (r.Problem is { } decode) o.WriteLine($"  image        {decode}");
        if (r.Mark is { } m)
            o.WriteLine(m.Found
                ? string.Create(CultureInfo.InvariantCulture, $"  mark         payload {m.Payload} under key {m.KeyId} ({m.CorrectedBits} code bits corrected, {m.Confidence * 100:0.#}% of bits agreeing){(r.Lineage is null ? "; not in this workspace's ledger" : "")}")
                : $"  mark         none found ({m.Reason})");
        if (r.Credentials is { } cr) o.WriteLine($"  credentials  {Credentials(cr)}");
        if (r.Lineage is { } lineage)
        {
            if (lineage.NamedBy != "watermark") o.WriteLine($"  named by     the manifest's soft binding (payload {lineage.Payload}); the mark itself was not found");
            o.WriteLine(lineage.Tainted
                ? $"  lineage      TAINTED: {string.Join("; ", lineage.Taints.Select(t => $"{t.Cause} ({t.Kind} {t.EntityId}, {t.At:yyyy-MM-dd})"))}"
                : "  lineage      clean (no withdrawn consent or quarantine upstream)");
        }
    }

    private static string Credentials(CredentialReport r)
    {
        var xmp = r.XmpFound ? $"XMP says {Short(r.DigitalSourceType)}" : "no XMP";
        if (!r.ManifestFound) return $"no C2PA manifest; {xmp}";
        if (r.Valid) return $"valid C2PA manifest signed by '{r.Signer}', chained to this workspace's trust anchors, hard binding intact; {xmp}";
        return $"C2PA manifest NOT valid: {string.Join("; ", r.Reasons)}; {xmp}";
    }

    private static string Short(string? sourceType) => sourceType is null ? "no digital source type" : sourceType[(sourceType.LastIndexOf('/') + 1)..];
}
