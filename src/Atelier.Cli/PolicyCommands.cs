using System.CommandLine;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Policy;

namespace Atelier.Cli;

/// <summary><c>atelier policy init|show|check</c>, and the printing of policy reports for the commands the policy gates.</summary>
public static class PolicyCommands
{
    public static Command Create(CliContext c)
    {
        var policy = new Command("policy", "The workspace policy (.atelier/policy.yaml) that gates snapshots, exports and training");
        policy.Subcommands.Add(Init(c));
        policy.Subcommands.Add(Show(c));
        policy.Subcommands.Add(Check(c));
        return policy;
    }

    private static Command Init(CliContext c)
    {
        var force = new Option<bool>("--force") { Description = "Replace an existing policy file with the default" };
        var command = new Command("init", "Write the default (strict) policy file, with comments, to .atelier/policy.yaml") { force };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var path = PolicyFile.WriteDefault(ws, parse.GetValue(force));
            var written = PolicyFile.Load(ws);
            if (c.Json(parse)) c.WriteJson(new { path, sha256 = written.Sha256 });
            else c.Host.Out.WriteLine($"Wrote the default policy to {path} (sha256 {written.Sha256})");
            return 0;
        }));
        return command;
    }

    private static Command Show(CliContext c)
    {
        var command = new Command("show", "The effective policy, where it comes from and its SHA-256, and the hard rules that always apply");
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var p = PolicyFile.Load(ws);
            if (c.Json(parse))
            {
                c.WriteJson(new { policy = p, hardRules = PolicyRule.Hard });
                return 0;
            }
            var o = c.Host.Out;
            o.WriteLine($"policy {p.Name} revision {p.Revision} (schema {p.Version})");
            o.WriteLine($"  from              {p.Origin}");
            o.WriteLine($"  sha256            {p.Sha256}");
            o.WriteLine($"  allowed licences  {string.Join(", ", p.AllowedLicenses)}");
            o.WriteLine($"  require source    {(p.RequireSource ? "yes" : "no")}");
            o.WriteLine($"  require rating    {(p.RequireRating ? "yes" : "no")}");
            o.WriteLine($"  honour opt-out    {(p.HonourOptOut ? "yes" : "no")}");
            o.WriteLine($"  min PDQ quality   {(p.MinPdqQuality == 0 ? "off" : p.MinPdqQuality)}");
            o.WriteLine($"  excluded flags    {(p.ExcludedFlags.Count == 0 ? "none" : string.Join(", ", p.ExcludedFlags))}");
            o.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"  memorization      a sample is withheld at PDQ <= {p.Memorization.PdqDistance} bits, features <= {p.Memorization.FeatureDistance}, or pixels <= {p.Memorization.PixelDistance} from a training image"));
            o.WriteLine("  hard rules (always on): blocklisted content is never used; questionable or explicit images need linked subjects,");
            o.WriteLine("    each verified, 18 or older at the capture date, with an active, unexpired generative-training consent");
            return 0;
        }));
        return command;
    }

    private static Command Check(CliContext c)
    {
        var selector = new Argument<string?>("SELECTOR") { Description = "Images to check (default: all); excluded images are left out as at dataset create", Arity = ArgumentArity.ZeroOrOne };
        var dataset = new Option<string?>("--dataset") { Description = "Check an existing snapshot as export and training would: its images now, and its taints" };
        var command = new Command("check", "Evaluate the policy without acting; exits 1 if anything violates it") { selector, dataset };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var session = GovernanceSession.For(ws);
            PolicyReport report;
            if (parse.GetValue(dataset) is { } name)
            {
                if (parse.GetValue(selector) is not null) throw new AtelierException("usage", "give either a SELECTOR or --dataset NAME, not both");
                var snapshot = ws.Catalog.GetSnapshot(name) ?? throw new AtelierException("unknown-dataset", $"no dataset named '{name}' (see 'atelier dataset list')");
                report = PolicyGate.EvaluateSnapshot(session, snapshot, PolicyStage.Check);
            }
            else
            {
                var text = parse.GetValue(selector) is { Length: > 0 } s ? s : "all";
                var ids = ws.Catalog.SelectIds(Selector.Parse(text + " excluded:no"));
                if (ids.Count == 0) throw new AtelierException("no-images", $"no images match '{text}' (excluded images are left out)");
                report = PolicyGate.Evaluate(session, PolicyStage.Check, ids);
            }
            Print(c, parse, report);
            return report.Clean ? 0 : 1;
        }));
        return command;
    }

    /// <summary>Prints a report: the lines on stdout, or the report as JSON.</summary>
    public static void Print(CliContext c, ParseResult parse, PolicyReport report)
    {
        if (c.Json(parse)) c.WriteJson(new { policy = report });
        else foreach (var line in report.Lines()) c.Host.Out.WriteLine(line);
    }

    /// <summary>Runs a gated command body; a policy refusal prints its report (on stdout, or as JSON) before the one-line reason on stderr.</summary>
    public static int Gated(CliContext c, ParseResult parse, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (PolicyRefusedException e)
        {
            if (c.Json(parse)) c.WriteJson(new { refused = e.Code, reason = e.Message, policy = e.Report });
            else foreach (var line in e.Report.Lines()) c.Host.Out.WriteLine(line);
            throw;
        }
    }
}
