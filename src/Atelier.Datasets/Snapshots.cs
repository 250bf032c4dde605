using Atelier.Catalog;
using Atelier.Governance.Access;
using Atelier.Governance;
using Atelier.Governance.Audit;
using Atelier.Governance.Policy;

namespace Atelier.Datasets;

/// <summary>Freezes a selection of the catalog into an immutable, content-addressed snapshot.</summary>
public static class Snapshots
{
    /// <summary>
    /// Creates snapshot <paramref name="name"/> from the images matching <paramref name="filter"/>,
    /// leaving out excluded images and every image the policy refuses (listed in the returned report).
    /// The manifest records the policy's SHA-256 and revision and is stored in the blob store under its
    /// own SHA-256. <paramref name="now"/> is the clock consent expiry is judged by.
    /// </summary>
    public static SnapshotCreation Create(Workspace workspace, string name, string? filter, DateTimeOffset? now = null)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || c is '/' or '\\'))
            throw new AtelierException("bad-name", $"'{name}' is not a usable dataset name (no spaces or slashes)");
        GovernanceSession.For(workspace).Actor.Require(Role.Reviewer, "create datasets");
        var catalog = workspace.Catalog;
        if (catalog.GetSnapshot(name) is not null)
            throw new AtelierException("snapshot-exists", $"a dataset named '{name}' already exists (snapshots are immutable; choose another name)");
        // A broken policy file is reported before anything else: it must be fixed whatever is selected.
        var policy = PolicyFile.Load(workspace);
        var text = string.IsNullOrWhiteSpace(filter) ? "all" : filter.Trim();
        var selector = Selector.Parse(text + " excluded:no");
        var selected = catalog.ListImages(selector);
        if (selected.Count == 0) throw new AtelierException("empty-dataset", $"no images match '{text}' (excluded images are left out)");

        var session = GovernanceSession.For(workspace);
        var report = PolicyGate.Evaluate(session, PolicyStage.DatasetCreate, selected.Select(i => i.Id).ToList(), policy: policy, now: now);
        var passing = report.PassedImageIds.ToHashSet();
        var images = selected.Where(i => passing.Contains(i.Id)).ToList();
        if (images.Count == 0)
            throw new PolicyRefusedException(
                $"none of the {selected.Count} images matching '{text}' passes the policy (first: image {report.Violations[0].ImageId} {report.Violations[0].Rule}: {report.Violations[0].Reason}); nothing to snapshot",
                report);

        var tags = catalog.TagsOf(selector);
        var items = images.Select(i => new SnapshotItem(i.Id, i.Sha256, i.Width, i.Height, i.Rating,
            (tags.GetValueOrDefault(i.Id) ?? []).Select(t => new SnapshotTag(t.Name, t.Category)))).ToList();
        var manifest = new SnapshotManifest(name, DateTimeOffset.UtcNow, text, items,
            new Dictionary<string, string>
            {
                ["atelier"] = typeof(Snapshots).Assembly.GetName().Version?.ToString() ?? "0",
                [PolicySha256Key] = policy.Sha256,
                [PolicyRevisionKey] = policy.Revision,
                [PolicyNameKey] = policy.Name,
            });
        var manifestSha = workspace.Blobs.Put(manifest.ToCanonicalJson());
        SnapshotRecord record;
        using (var tx = catalog.BeginTransaction())
        {
            record = catalog.AddSnapshot(name, manifest.RootHash, manifestSha, text, images.Select(i => i.Id).ToList());
            session.Record(AuditAction.Snapshot,
                new { dataset = name, root = manifest.RootHash, images = images.Count, leftOut = selected.Count - images.Count, policy = policy.Sha256, revision = policy.Revision },
                GovernanceSession.Ref("snapshot", record.Id));
            tx.Commit();
        }
        return new SnapshotCreation(record, manifest, report);
    }

    /// <summary>Manifest metadata keys naming the policy a snapshot was made under (outside the root hash, like all metadata).</summary>
    public const string PolicySha256Key = "policy.sha256";
    public const string PolicyRevisionKey = "policy.revision";
    public const string PolicyNameKey = "policy.name";

    /// <summary>Loads a snapshot's manifest and checks it against the root hash recorded in the catalog.</summary>
    public static (SnapshotRecord Record, SnapshotManifest Manifest) Load(Workspace workspace, string name)
    {
        var record = workspace.Catalog.GetSnapshot(name)
                     ?? throw new AtelierException("unknown-dataset", $"no dataset named '{name}' (see 'atelier dataset list')");
        try
        {
            var manifest = SnapshotManifest.Parse(workspace.Blobs.Read(record.ManifestSha256));
            SnapshotManifest.Verify(manifest, record.RootHash);
            return (record, manifest);
        }
        catch (DatasetException e)
        {
            throw new AtelierException("bad-manifest", $"dataset '{name}' manifest does not verify: {e.Message}");
        }
    }
}

/// <summary>A new snapshot and the policy report of its making (which images were left out, and why).</summary>
public sealed record SnapshotCreation(SnapshotRecord Record, SnapshotManifest Manifest, PolicyReport Report);
