using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Studio.Jobs;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Atelier.Studio.Pages;

/// <summary>
/// One run: status, energy and cost so far, its taints, the loss curves, the latest grid; progress goes on live (server-sent
/// events). Reviewers stop, resume and sample it here (as jobs); anyone verifies its samples.
/// </summary>
[Authorize(Policy = StudioPolicies.Viewer)]
public sealed class RunModel(StudioSession session, IAntiforgery antiforgery) : PageModel
{
    public IReadOnlyList<JobRecord> Jobs { get; private set; } = [];
    public JobRecord? OpenJob { get; private set; }
    /// <summary>The job that will make this run, while its worker has not yet (then <see cref="Run"/> is null).</summary>
    public JobRecord? Pending { get; private set; }
    public bool MayTrain { get; private set; }
    public bool MayStop { get; private set; }
    public bool HasCheckpoint { get; private set; }
    public IReadOnlyList<SampleRecord> Samples { get; private set; } = [];
    public IReadOnlyDictionary<string, JobOutcome.Verified> Verified { get; private set; } = new Dictionary<string, JobOutcome.Verified>();
    public string? Token { get; private set; }
    public RunRecord? Run { get; private set; }
    public double Kwh { get; private set; }
    public double Money { get; private set; }
    public double Co2 { get; private set; }
    public string Currency { get; private set; } = "";
    public IReadOnlyList<string> Taints { get; private set; } = [];
    public RunProgress.Row? Latest { get; private set; }
    /// <summary>Built by <see cref="RunProgress.LossSvg"/> from numbers only (no text from the file), so it is safe to write raw.</summary>
    public string LossChart { get; private set; } = "";
    /// <summary>The score at each evaluation of an --eval-every run (numbers only, as <see cref="LossChart"/>).</summary>
    public string ScoreChart { get; private set; } = "";

    public IActionResult OnGet(string name)
    {
        var catalog = session.Catalog;
        Run = catalog.GetRun(name);
        if (Run is null)
        {
            // Asked for from the studio and not yet made by its worker: the page waits for it.
            Pending = new Governance.Jobs.Jobs(session.Governance).OfRun(name).FirstOrDefault(j => j.IsOpen && j.Kind == "train");
            if (Pending is null) return NotFound();
            Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
            var who = session.Governance.Actor;
            MayStop = Pending.User == who.Name || who.Role >= Role.Admin;
            return Page();
        }
        var energy = catalog.ListEnergy(Run.Id);
        (Kwh, Money, Co2) = (energy.Sum(e => e.Kwh), energy.Sum(e => e.Money), energy.Sum(e => e.Co2Grams));
        Currency = session.Workspace.Config.Cost.Currency;
        Taints = [.. catalog.TaintsOf(TaintKind.Run, Run.Id).Select(t => t.Cause)];
        var (rows, _) = RunProgress.Read(RunProgress.MetricsPath(session.Workspace, Run.Name), 0);
        Latest = rows.Count > 0 ? rows[^1] : null;
        LossChart = RunProgress.LossSvg(rows);
        ScoreChart = RunProgress.ScoreSvg(rows);
        var actor = session.Governance.Actor;
        Jobs = new Governance.Jobs.Jobs(session.Governance).OfRun(Run.Name);
        OpenJob = Jobs.FirstOrDefault(j => j.IsOpen && j.Kind is "train" or "resume");
        MayTrain = actor.Role >= Role.Reviewer;
        MayStop = OpenJob is { } open && (open.User == actor.Name || actor.Role >= Role.Admin);
        HasCheckpoint = catalog.ListCheckpoints(Run.Id).Count > 0;
        Samples = [.. catalog.ListSamples(Run.Id).TakeLast(JobForms.MaxVerified)];
        Verified = JobOutcome.Verifications(session.Workspace, Jobs);
        Token = antiforgery.GetAndStoreTokens(HttpContext).RequestToken;
        return Page();
    }
}
