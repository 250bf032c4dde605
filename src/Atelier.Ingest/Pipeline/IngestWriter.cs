using Atelier.Catalog;
using Atelier.Hashing;
using Atelier.Imaging;

namespace Atelier.Ingest.Pipeline;

/// <summary>The single writer of an ingest: turns work results into catalog rows inside the caller's batch.</summary>
internal sealed class IngestWriter(Workspace workspace, IngestRequest request, PdqIndex index, RunState state, IngestScreen screen, bool honourOptOut = true)
{
    /// <summary>Marks an image whose source opted out of AI use, ingested because the policy did not honour opt-outs.</summary>
    public const string OptOutFlag = "opted-out";

    private readonly Catalog.Catalog _catalog = workspace.Catalog;
    private readonly CurationThresholds _thresholds = workspace.Config.Curation;

    public void Store(WorkResult result)
    {
        state.Seen++;
        if (result is not Skipped && state.PreviouslySkipped.Contains(result.Origin)) _catalog.ForgetSkip(result.Origin);
        switch (result)
        {
            case Rejected r:
                Reject(r.Origin, r.Source, r.Code, r.Message);
                break;
            case Skipped k:
                // Not marked done: when the imaging layer learns the format, the next run takes the file.
                _catalog.RecordSkip(state.IngestId, k.Origin, k.Source, k.File.Extension, k.File.Code, k.File.Message);
                var key = (k.File.Extension, k.File.Code);
                state.Skipped[key] = state.Skipped.GetValueOrDefault(key) + 1;
                break;
            case Blocked b:
                StoreBlocked(b);
                break;
            case Duplicate d:
                if (_catalog.FindImageId(d.Sha256) is long existing) StoreDuplicate(d.Item, d.Source, existing);
                else StoreNewAfterAll(d);
                break;
            case Analyzed a:
                if (_catalog.FindImageId(a.Image.Sha256) is long same) StoreDuplicate(a.Image.Item, a.Source, same);
                else StoreNew(a);
                break;
        }
    }

    private void Reject(string origin, string source, string code, string message)
    {
        _catalog.RecordRejection(state.IngestId, origin, source, code, message);
        if (code == RejectionCodes.OptedOut) state.OptedOut++;
        else state.Rejections[code] = state.Rejections.GetValueOrDefault(code) + 1;
        if (!Ingestion.IsTransient(code)) _catalog.MarkDone(origin, null, "rejected:" + code);
    }

    private void StoreBlocked(Blocked blocked)
    {
        screen.Stop(blocked, _catalog);
        state.Quarantined++;
    }

    private void StoreDuplicate(IngestItem item, string source, long imageId)
    {
        if (_catalog.IsQuarantined(imageId))
        {
            // A copy of quarantined bytes: it stays out, and adds no provenance or tags to the hidden image.
            state.Quarantined++;
            _catalog.MarkDone(item.Origin, null, "quarantined");
            return;
        }
        if (_catalog.AddProvenance(imageId, ProvenanceOf(item, source))) state.ExactDuplicates++;
        _catalog.AddTags([imageId], TagsOf(item));
        _catalog.MarkDone(item.Origin, imageId, "duplicate");
    }

    /// <summary>A 64-bit prefix collision made a new image look known: analyse it here after all.</summary>
    private void StoreNewAfterAll(Duplicate d)
    {
        try
        {
            var md5 = screen.Md5IfListed(d.Item.Content);
            var analyzed = ImageAnalysis.Analyze(d.Item, d.Sha256, workspace.Config.Ingest.MaxPixels, request.ThumbnailSide, honourOptOut);
            if ((screen.Exact(d.Item, d.Source, d.Sha256, md5) ?? screen.Perceptual(d.Item, d.Source, d.Sha256, md5, analyzed.Pdq, analyzed.PdqDisplayed)) is { } blocked)
            {
                StoreBlocked(blocked);
                return;
            }
            state.WriterStoredBlobs = true;
            StoreNew(new Analyzed(analyzed, d.Source, analyzed.StoreBlobs(workspace.Blobs), md5));
        }
        catch (ImageRejectedException e)
        {
            Reject(d.Origin, d.Source, e.Code, e.Message);
        }
    }

    private void StoreNew(Analyzed a)
    {
        var image = a.Image;
        var info = image.Info;
        var meta = image.Item.Metadata;
        var record = new ImageRecord
        {
            Sha256 = image.Sha256,
            SizeBytes = image.Item.Content.LongLength,
            Format = info.Format.ToString().ToLowerInvariant(),
            Width = info.DisplayWidth,
            Height = info.DisplayHeight,
            Orientation = info.Orientation,
            HasAlpha = info.HasAlpha,
            HasColorProfile = info.HasColorProfile,
            BitsPerChannel = info.BitsPerChannel,
            Frames = info.FrameCount,
            Pdq = image.Pdq.Hash.ToBytes(),
            PdqQuality = image.Pdq.Quality,
            PdqDisplayed = image.PdqDisplayed?.ToBytes(),
            PdqPipeline = PdqPipelines.Current,
            BlurVariance = image.Quality.BlurVariance,
            MeanLuma = image.Quality.MeanLuma,
            DarkFraction = image.Quality.DarkFraction,
            BrightFraction = image.Quality.BrightFraction,
            Entropy = image.Quality.Entropy,
            ThumbnailSha256 = a.ThumbnailSha256,
            Rating = meta?.Rating, // already one of the catalog's words: MetadataComposer reads or refuses it
            CapturedAt = meta?.CapturedAt ?? (info.CaptureDate is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : null),
            Source = a.Source,
        };
        var provenance = ProvenanceOf(image.Item, a.Source);
        var id = _catalog.AddImage(record with { License = provenance.License, SourceUrl = provenance.SourceUrl }, provenance, TagsOf(image.Item));
        if (a.Md5 is not null) _catalog.SetMd5(id, a.Md5);
        if (image.OptOutSignal is { } signal) _catalog.SetFlag(id, OptOutFlag, signal);
        state.Added++;
        if (image.Pdq.Quality >= _thresholds.MinPdqQuality)
        {
            // Near duplicates are judged on the picture as displayed, as curate does.
            var shown = image.PdqDisplayed ?? image.Pdq.Hash;
            var near = index.Query(shown, workspace.Config.Ingest.NearDuplicateDistance);
            if (near.Count > 0)
            {
                state.NearDuplicates++;
                _catalog.AddNearDuplicates(near.Select(m => (id, m.Id, m.Distance)));
            }
            index.Add(id, shown);
        }
        _catalog.MarkDone(image.Item.Origin, id, "added");
    }

    private Provenance ProvenanceOf(IngestItem item, string source) => new(
        item.Origin,
        item.FileName,
        source,
        item.Metadata?.License ?? request.License,
        item.Metadata?.SourceUrl ?? item.FinalUrl,
        item.Metadata?.Raw,
        state.IngestId);

    private static IEnumerable<Tag> TagsOf(IngestItem item) =>
        item.Metadata?.Tags.Select(t => new Tag(t.Name, t.Category)) ?? [];
}
