using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Access;
using Atelier.Governance.Audit;
using Atelier.Governance.Policy;
using Atelier.Hashing;
using Atelier.Imaging;
using Atelier.Ingest.Metadata;

namespace Atelier.Ingest.Pipeline;

/// <summary>
/// Runs an ingest: sources stream files, worker threads decode and hash them and write their blobs,
/// and one writer stores the catalog rows in batched transactions (<see cref="BatchCommitter"/>). Each
/// batch also marks its origins done, so a killed ingest resumes where its last commit ended and never
/// adds an image twice.
/// </summary>
public sealed class Ingestion(Workspace workspace)
{
    /// <summary>
    /// Rejections that may succeed on a later run; their origins are not marked done. Unreadable metadata is
    /// among them so that an image whose sidecar or manifest row was fixed comes in on the next run.
    /// </summary>
    private static readonly HashSet<string> Transient =
        [RejectionCodes.Timeout, RejectionCodes.NetworkError, RejectionCodes.HttpStatus, RejectionCodes.UnreadableMetadata];

    /// <summary>File bytes allowed between the sources and the writer at once (<see cref="ByteBudget"/>).</summary>
    internal const long InFlightBytes = 128L << 20;

    public async Task<IngestSummary> RunAsync(IngestRequest request, IProgress<IngestProgress>? progress = null, CancellationToken cancellation = default)
    {
        var catalog = workspace.Catalog;
        var governance = GovernanceSession.For(workspace);
        governance.Actor.Require(Role.Reviewer, "ingest images");
        // The workspace policy decides whether AI opt-out signals keep an image out or only flag it.
        var honourOptOut = PolicyFile.Load(workspace).HonourOptOut;
        var settings = workspace.Config.Ingest;
        var done = catalog.DoneOrigins();
        var alreadyDone = 0;
        var options = new SourceOptions
        {
            HonourOptOut = honourOptOut,
            MaxFileBytes = settings.MaxFileBytes,
            HttpConcurrency = settings.HttpConcurrency,
            HttpTimeout = TimeSpan.FromSeconds(settings.HttpTimeoutSeconds),
            HttpRetries = settings.HttpRetries,
            Mapping = request.Mapping,
            ManifestFileName = request.ManifestFileName,
            Skip = origin =>
            {
                if (!done.Contains(origin)) return false;
                Interlocked.Increment(ref alreadyDone);
                return true;
            },
        };
        var external = LoadManifest(request, options.Mapping);
        if (external is not null)
        {
            options = options with { ExternalManifest = external, ExternalManifestPath = request.ManifestPath };
            options.Manifests.Add(external);
        }
        var sources = new List<(IIngestSource Source, string Name)>();
        foreach (var argument in request.Sources)
        {
            try
            {
                sources.Add((SourceResolver.Open(argument, options), request.SourceName ?? DefaultSourceName(argument)));
            }
            catch (SourceException e)
            {
                throw new AtelierException(e.Code, e.Message);
            }
        }

        var ingestId = catalog.StartIngest(JsonSerializer.Serialize(new { request.Sources, request.SourceName, request.License }));
        var stored = catalog.AllPdqHashes().Where(h => h.Quality >= workspace.Config.Curation.MinPdqQuality).ToList();
        var index = new PdqIndex(stored.Select(h => h.Id).ToArray(), stored.Select(h => PdqHashBytes.FromBytes(h.Pdq)).ToArray());
        // Workers must not touch the catalog connection, so they test SHA-256s against an in-memory
        // set of 64-bit prefixes of what is stored; the writer confirms every hit exactly.
        var storedPrefixes = new HashSet<ulong>(catalog.AllSha256().Select(ShaPrefix));
        var known = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var screen = new IngestScreen(workspace);

        var stopwatch = Stopwatch.StartNew();
        var state = new RunState(ingestId) { PreviouslySkipped = catalog.SkippedOrigins() };
        var input = Channel.CreateBounded<(long Sequence, IngestOutcome Outcome, string Source)>(new BoundedChannelOptions(64) { SingleWriter = true });
        var output = Channel.CreateBounded<(long Sequence, WorkResult Result, long Bytes)>(new BoundedChannelOptions(64) { SingleReader = true });
        // The queues bound how many files are in flight, this bounds their bytes; the writer gives a file's bytes
        // back once its result is taken.
        var budget = new ByteBudget(InFlightBytes);

        // Sources stop on cancellation; workers and the writer finish what is in flight, so what was
        // read is either committed or, after a kill, simply redone on the next run.
        SourceException? sourceFailure = null;
        var producer = Task.Run(async () =>
        {
            try
            {
                long sequence = 0;
                // Rows of the user's manifest that cannot be read are stored once, before any source's files.
                foreach (var bad in external?.Rejections ?? [])
                    await input.Writer.WriteAsync((sequence++, bad, request.SourceName ?? "manifest"), CancellationToken.None);
                foreach (var (source, name) in sources)
                    await foreach (var outcome in source.ReadAsync(cancellation))
                    {
                        await budget.TakeAsync(BytesOf(outcome), cancellation);
                        await input.Writer.WriteAsync((sequence++, outcome, name), CancellationToken.None);
                    }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                state.Interrupted = true;
                input.Writer.Complete();
                return;
            }
            catch (SourceException e)
            {
                // A source that cannot be read at all (a manifest that does not parse) stops the ingest before
                // it yields anything; what earlier sources yielded is still stored.
                sourceFailure = e;
                input.Writer.Complete();
                return;
            }
            catch (Exception e)
            {
                input.Writer.Complete(e);
                return;
            }
            input.Writer.Complete();
        }, CancellationToken.None);

        var workers = Enumerable.Range(0, Math.Max(1, request.Workers)).Select(_ => Task.Run(async () =>
        {
            await foreach (var (sequence, outcome, source) in input.Reader.ReadAllAsync(CancellationToken.None))
                await output.Writer.WriteAsync((sequence, Work(outcome, source, settings.MaxPixels, request.ThumbnailSide), BytesOf(outcome)), CancellationToken.None);
        }, CancellationToken.None)).ToArray();
        // A worker's failure (a full disk, say) reaches the writer through the channel instead of vanishing.
        var closer = Task.WhenAll(workers).ContinueWith(t => output.Writer.Complete(t.Exception?.GetBaseException()), TaskScheduler.Default);

        WorkResult Work(IngestOutcome outcome, string source, long maxPixels, int thumbnailSide)
        {
            if (outcome is IngestRejection r) return new Rejected(r.Origin, source, r.Code, r.Message);
            if (outcome is IngestSkip skip) return new Skipped(skip, source);
            var item = (IngestItem)outcome;
            var sha = ImageAnalysis.Sha256(item.Content);
            if (storedPrefixes.Contains(ShaPrefix(sha)) || known.ContainsKey(sha)) return new Duplicate(item, source, sha);
            // Blocklisted bytes are stopped before anything of them reaches the blob store.
            var md5 = screen.Md5IfListed(item.Content);
            if (screen.Exact(item, source, sha, md5) is { } exact) return exact;
            try
            {
                var analyzed = ImageAnalysis.Analyze(item, sha, maxPixels, thumbnailSide, honourOptOut);
                if (screen.Perceptual(item, source, sha, md5, analyzed.Pdq, analyzed.PdqDisplayed) is { } near) return near;
                var thumbSha = analyzed.StoreBlobs(workspace.Blobs);
                known.TryAdd(sha, 0);
                return new Analyzed(analyzed, source, thumbSha, md5);
            }
            catch (ImageRejectedException e)
            {
                return new Rejected(item.Origin, source, e.Code, e.Message);
            }
        }

        var committer = new BatchCommitter(workspace, new IngestWriter(workspace, request, index, state, screen, honourOptOut), state, progress);
        try
        {
            // Results are stored in source order, whatever order the workers finish in, so image ids
            // (and which copy of a near duplicate counts as the earlier one) do not depend on timing.
            var pending = new Dictionary<long, (WorkResult Result, long Bytes)>();
            long next = 0;
            await foreach (var (sequence, arrived, bytes) in output.Reader.ReadAllAsync(CancellationToken.None))
            {
                pending.Add(sequence, (arrived, bytes));
                while (pending.Remove(next, out var taken))
                {
                    next++;
                    await committer.AddAsync(taken.Result);
                    budget.Give(taken.Bytes);
                }
            }
            await producer;
            await closer;
            await committer.CompleteAsync();
        }
        catch (Exception e) when (DiskFull.Is(e))
        {
            TryFinish(catalog, ingestId, "failed: disk full");
            throw DiskFull.Error("ingesting");
        }

        if (sourceFailure is not null)
        {
            catalog.FinishIngest(ingestId, "failed: " + sourceFailure.Code, "{}");
            throw new AtelierException(sourceFailure.Code, sourceFailure.Message);
        }

        var summary = new IngestSummary(ingestId, state.Added, state.ExactDuplicates, state.NearDuplicates, alreadyDone, state.OptedOut,
            state.Rejections.OrderByDescending(kv => kv.Value).ToDictionary(), stopwatch.Elapsed.TotalSeconds, state.Interrupted, state.Quarantined)
        {
            SkippedByExtension = state.Skipped.Select(kv => new SkippedCount(kv.Key.Extension, kv.Key.Code, kv.Value))
                .OrderByDescending(g => g.Files).ThenBy(g => g.Extension, StringComparer.Ordinal).ThenBy(g => g.Reason, StringComparer.Ordinal).ToList(),
            Manifests = options.Manifests.Usage(),
        };
        // A manifest name looked for in the sources' roots that none held is said, not passed over.
        if (request.ManifestFileName is { } wanted && !summary.Manifests.Any(m => m.Manifest.EndsWith("/" + wanted, StringComparison.OrdinalIgnoreCase)))
            summary = summary with { ManifestNotFound = wanted };
        catalog.FinishIngest(ingestId, state.Interrupted ? "interrupted" : "finished", JsonSerializer.Serialize(summary));
        // One entry per ingest run; the images it added point back to it through their provenance.
        governance.Record(AuditAction.Ingest, new
        {
            ingest = ingestId, request.Sources, source = request.SourceName, license = request.License, summary.Added, summary.ExactDuplicates,
            summary.OptedOut, summary.Rejected, summary.Skipped, summary.Interrupted,
        }, GovernanceSession.Ref("ingest", ingestId));
        return summary;
    }

    /// <summary>
    /// The manifest file the user pointed at (<see cref="IngestRequest.ManifestPath"/>), read before any source. One that cannot
    /// be read at all stops the ingest: its files would otherwise come in without the metadata the user gave for them.
    /// </summary>
    private static ManifestIndex? LoadManifest(IngestRequest request, MetadataMapping mapping)
    {
        if (request.ManifestPath is not { } path) return null;
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AtelierException(RejectionCodes.BadManifest, $"manifest {path} cannot be read ({ManifestIndex.OneLine(e.Message)})");
        }
        var index = new ManifestIndex();
        try
        {
            index.Add(path, Path.GetFileName(path), content, mapping);
        }
        catch (SourceException e)
        {
            throw new AtelierException(e.Code, e.Message);
        }
        return index;
    }

    private static long BytesOf(IngestOutcome outcome) => outcome is IngestItem item ? item.Content.LongLength : 0;

    private static ulong ShaPrefix(string sha) => Convert.ToUInt64(sha[..16], 16);

    private static void TryFinish(Catalog.Catalog catalog, long ingestId, string status)
    {
        try
        {
            catalog.FinishIngest(ingestId, status, "{}");
        }
        catch (Exception e) when (DiskFull.Is(e))
        {
            // Still full: the ingest row stays 'running', which is what it was when it stopped.
        }
    }

    internal static bool IsTransient(string code) => Transient.Contains(code);

    private static string DefaultSourceName(string argument)
    {
        if (argument.Contains("://", StringComparison.Ordinal) && Uri.TryCreate(argument, UriKind.Absolute, out var uri)) return uri.Host;
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(argument)));
        foreach (var ext in new[] { ".tar.gz", ".tgz", ".tar", ".zip", ".txt", ".csv", ".jsonl" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return name[..^ext.Length];
        return name;
    }
}

internal abstract record WorkResult(string Origin, string Source);
internal sealed record Rejected(string Origin, string Source, string Code, string Message) : WorkResult(Origin, Source);
internal sealed record Skipped(IngestSkip File, string Source) : WorkResult(File.Origin, Source);
internal sealed record Duplicate(IngestItem Item, string Source, string Sha256) : WorkResult(Item.Origin, Source);
internal sealed record Analyzed(AnalyzedImage Image, string Source, string ThumbnailSha256, string? Md5) : WorkResult(Image.Item.Origin, Source);

internal sealed class RunState(long ingestId)
{
    public long IngestId { get; } = ingestId;
    public int Seen, Added, ExactDuplicates, NearDuplicates, OptedOut, Quarantined;
    /// <summary>Set when the writer itself stored blobs, which then need a flush before the commit.</summary>
    public bool WriterStoredBlobs;
    public volatile bool Interrupted;
    public Dictionary<string, int> Rejections { get; } = new(StringComparer.Ordinal);
    /// <summary>Files that are no image to ingest, counted by extension and reason.</summary>
    public Dictionary<(string Extension, string Code), int> Skipped { get; } = [];
    /// <summary>Origins an earlier ingest skipped; one taken now (its format became readable) loses its skip row.</summary>
    public HashSet<string> PreviouslySkipped { get; init; } = [];
    public int RejectedTotal => Rejections.Values.Sum();
}
