using System.CommandLine;
using System.Globalization;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Lineage;
using Atelier.Studio.Accounts;

namespace Atelier.Cli;

/// <summary>The audit log, lineage and users: the governance commands that every stage shares.</summary>
public static class GovernanceCommands
{
    public static Command Audit(CliContext c)
    {
        var audit = new Command("audit", "The tamper-evident log of governance actions");
        var verify = new Command("verify", "Check the whole hash chain and every signature; name the first bad entry");
        verify.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var result = GovernanceSession.For(ws).Audit.Verify();
            if (c.Json(parse)) c.WriteJson(result);
            else if (result.Intact) c.Host.Out.WriteLine($"Audit log intact: {result.Entries} entries, last hash {result.LastHash}");
            else c.Host.Error.WriteLine($"atelier: audit log NOT intact at entry {result.FirstBadSeq}: {result.Problem}");
            return result.Intact ? 0 : 3;
        }));
        audit.Subcommands.Add(verify);

        var image = new Option<string?>("--image") { Description = "Entries about this image id" };
        var subject = new Option<string?>("--subject") { Description = "Entries about this subject (S-...)" };
        var run = new Option<string?>("--run") { Description = "Entries about this run (by name)" };
        var dataset = new Option<string?>("--dataset") { Description = "Entries about this dataset snapshot (by name)" };
        var consent = new Option<string?>("--consent") { Description = "Entries about this consent id" };
        var action = new Option<string?>("--action") { Description = "Only this action (ingest, rate, consent-revoke, quarantine, ...)" };
        var since = new Option<string?>("--since") { Description = "From this time (ISO 8601, e.g. 2026-11-24 or 2026-11-24T10:00Z)" };
        var until = new Option<string?>("--until") { Description = "Up to this time" };
        var limit = new Option<int>("--limit") { Description = "At most this many (the newest)", DefaultValueFactory = _ => 200 };
        var show = new Command("show", "Entries, filtered by what they are about and when") { image, subject, run, dataset, consent, action, since, until, limit };
        show.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            (string Kind, string? Value)[] about =
                [("image", parse.GetValue(image)), ("subject", parse.GetValue(subject)), ("run", parse.GetValue(run)), ("snapshot", parse.GetValue(dataset)), ("consent", parse.GetValue(consent))];
            var chosen = about.Where(a => a.Value is not null).ToList();
            if (chosen.Count > 1) throw new Catalog.AtelierException("bad-filter", "filter by one of --image, --subject, --run, --dataset, --consent at a time");
            // Entries name runs and snapshots by id; users name them by name.
            var reference = chosen.FirstOrDefault() switch
            {
                ("run", { } name) => (ws.Catalog.GetRun(name) ?? throw new Catalog.AtelierException("unknown-run", $"no run named '{name}'")).Id.ToString(CultureInfo.InvariantCulture),
                ("snapshot", { } name) => (ws.Catalog.GetSnapshot(name) ?? throw new Catalog.AtelierException("unknown-dataset", $"no dataset named '{name}'")).Id.ToString(CultureInfo.InvariantCulture),
                var (_, value) => value,
            };
            var query = new AuditQuery(chosen.FirstOrDefault().Kind, reference, parse.GetValue(action),
                Time(parse.GetValue(since), "--since"), Time(parse.GetValue(until), "--until"), parse.GetValue(limit));
            var entries = GovernanceSession.For(ws).Audit.Find(query);
            if (c.Json(parse)) c.WriteJson(new { entries });
            else
                foreach (var e in entries)
                    c.Host.Out.WriteLine($"{e.Seq,6}  {e.At}  {e.Actor,-12} {e.Action,-18} {e.Detail}");
            return 0;
        }));
        audit.Subcommands.Add(show);
        return audit;
    }

    public static Command Lineage(CliContext c)
    {
        var target = new Argument<string>("TARGET") { Description = "image:ID (or an id or SHA-256 prefix), snapshot:NAME, run:NAME, checkpoint:ID or sample:ID" };
        var command = new Command("lineage", "What an image, snapshot, run, checkpoint or sample came from and what was built on it, with taints") { target };
        command.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var graph = LineageGraph.Of(ws.Catalog, parse.GetValue(target)!);
            if (c.Json(parse))
            {
                c.WriteJson(graph);
                return 0;
            }
            var byKey = graph.Nodes.ToDictionary(n => $"{n.Kind}:{n.Id}");
            var children = graph.Edges.ToLookup(e => e.From, e => e.To);
            var images = graph.Nodes.Where(n => n.Kind == "image").ToList();
            var start = graph.Root;
            if (!graph.Root.StartsWith("image:", StringComparison.Ordinal))
            {
                c.Host.Out.WriteLine($"built from {graph.UpstreamImages} image(s): {string.Join(", ", images.Select(i => i.Id))}{(graph.UpstreamImages > images.Count ? ", ..." : "")}");
                start = graph.Edges.FirstOrDefault(e => e.From.StartsWith("image:", StringComparison.Ordinal))?.To ?? graph.Root;
            }
            void Print(string key, string indent, bool last, bool top)
            {
                var n = byKey[key];
                var taint = n.Taints.Count > 0 ? $"  TAINTED: {string.Join("; ", n.Taints)}" : "";
                var mark = key == graph.Root ? "  <-" : "";
                c.Host.Out.WriteLine($"{(top ? "" : indent + (last ? "└─ " : "├─ "))}{n.Kind} {n.Id}  ({n.Label}){taint}{mark}");
                var next = children[key].ToList();
                for (var i = 0; i < next.Count; i++) Print(next[i], top ? "" : indent + (last ? "   " : "│  "), i == next.Count - 1, false);
            }
            Print(start, "", true, true);
            return 0;
        }));
        return command;
    }

    public static Command User(CliContext c)
    {
        var user = new Command("user", "Workspace users and roles (viewer, annotator, reviewer, admin)");
        var name = new Argument<string>("NAME") { Description = "User name" };
        var role = new Option<string>("--role") { Description = "viewer, annotator, reviewer or admin", Required = true };
        role.AcceptOnlyFromAmong("viewer", "annotator", "reviewer", "admin");
        var add = new Command("add", "Add a user; prints their token once") { name, role };
        add.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var (record, token) = UserAdministration.Add(GovernanceSession.For(ws), parse.GetValue(name)!, Roles.Parse(parse.GetValue(role)!));
            if (c.Json(parse)) c.WriteJson(new { user = record, token });
            else c.Host.Out.WriteLine($"Added {record.Name} ({record.Role}); token {token} (shown once: they act with --as {record.Name} and ATELIER_TOKEN)");
            return 0;
        }));
        user.Subcommands.Add(add);

        var list = new Command("list", "All users and their roles");
        list.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var users = ws.Catalog.ListUsers();
            if (c.Json(parse)) c.WriteJson(new { users });
            else foreach (var u in users) c.Host.Out.WriteLine($"{u.Name,-20} {u.Role,-10}{(u.Owner ? " owner" : "")}{(u.Disabled ? " disabled" : "")}");
            return 0;
        }));
        user.Subcommands.Add(list);

        var roleName = new Argument<string>("NAME") { Description = "User name" };
        var newRole = new Argument<string>("ROLE") { Description = "viewer, annotator, reviewer or admin" };
        var setRole = new Command("role", "Change a user's role") { roleName, newRole };
        setRole.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            UserAdministration.SetRole(GovernanceSession.For(ws), parse.GetValue(roleName)!, Roles.Parse(parse.GetValue(newRole)!));
            c.Host.Out.WriteLine($"{parse.GetValue(roleName)} is now {parse.GetValue(newRole)}");
            return 0;
        }));
        user.Subcommands.Add(setRole);

        var disableName = new Argument<string>("NAME") { Description = "User name" };
        var disable = new Command("disable", "Stop a user from acting (their token no longer works)") { disableName };
        disable.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            UserAdministration.Disable(GovernanceSession.For(ws), parse.GetValue(disableName)!);
            c.Host.Out.WriteLine($"Disabled {parse.GetValue(disableName)}");
            return 0;
        }));
        user.Subcommands.Add(disable);

        var tokenName = new Argument<string>("NAME") { Description = "User name" };
        var token = new Command("token", "Issue a new token for a user (the old one stops working)") { tokenName };
        token.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var fresh = UserAdministration.ResetToken(GovernanceSession.For(ws), parse.GetValue(tokenName)!);
            if (c.Json(parse)) c.WriteJson(new { user = parse.GetValue(tokenName), token = fresh });
            else c.Host.Out.WriteLine($"New token for {parse.GetValue(tokenName)}: {fresh} (shown once)");
            return 0;
        }));
        user.Subcommands.Add(token);

        var passwordName = new Argument<string>("NAME") { Description = "User name" };
        var password = new Command("password", "Set the password a user signs in to the studio with, read as one line from standard input") { passwordName };
        password.SetAction(parse => c.WithWorkspace(parse, ws =>
        {
            var who = parse.GetValue(passwordName)!;
            var line = ReadPassword(c.Host, who)
                ?? throw new AtelierException("no-password", $"no password on standard input (e.g. printf '%s\\n' \"$PASSWORD\" | atelier user password {who})");
            UserAdministration.SetPassword(GovernanceSession.For(ws), who, Passwords.Hash(who, line.TrimEnd('\r')));
            c.Host.Out.WriteLine($"Set the studio password of {who}");
            return 0;
        }));
        user.Subcommands.Add(password);
        return user;
    }

    /// <summary>One line from standard input; typed at a terminal, it is not echoed.</summary>
    private static string? ReadPassword(CliHost host, string who)
    {
        if (host.Input is null || !ReferenceEquals(host.Input, Console.In) || Console.IsInputRedirected) return host.Input?.ReadLine();
        host.Error.Write($"Password for {who} (at least {Passwords.MinimumLength} characters): ");
        var typed = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
            else if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
        }
        host.Error.WriteLine();
        return typed.ToString();
    }

    private static DateTimeOffset? Time(string? text, string option) => text is null ? null : CliContext.ParseTime(text, option);
}
