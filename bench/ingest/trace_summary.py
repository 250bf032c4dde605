"""Sums a dotnet-trace Speedscope file (profile dotnet-sampled-thread-time) over all threads:
inclusive thread time, blocked time included, for the ingest stages. How to produce the input:
  dotnet bench/Atelier.Bench.Ingest/bin/Release/net10.0/Atelier.Bench.Ingest.dll init WS
  dotnet-trace collect --profile dotnet-sampled-thread-time --format Speedscope -o T.nettrace -- \\
    dotnet bench/Atelier.Bench.Ingest/bin/Release/net10.0/Atelier.Bench.Ingest.dll ingest WS FOLDER --workers 2
  python3 bench/ingest/trace_summary.py T.speedscope.json"""
import collections, json, sys

STAGES = {
    "worker Work() (all of a worker's time per file)": "g__Work|3",
    "  AtomicFile.WriteAllBytes (both blob writes)": "AtomicFile.WriteAllBytes",
    "    of which FlushToDisk (fsync)": "FlushToDisk",
    "  ImageAnalysis.Analyze": "ImageAnalysis.Analyze",
    "    ImageDecoder.Decode": "ImageDecoder.Decode(",
    "    QualityMeasures.Measure": "QualityMeasures.Measure",
    "    PdqHasher.HashRgba": "PdqHasher.HashRgba",
    "    ImageEncoder.EncodePng": "ImageEncoder.EncodePng",
    "    ImageProbe.Read": "ImageProbe.Read(unsigned",
    "writer IngestWriter.Store (catalog rows)": "IngestWriter.Store",
    "producer FolderSource (reading files)": "FolderSource",
}

trace = json.load(open(sys.argv[1]))
frames = [f["name"] for f in trace["shared"]["frames"]]
totals = collections.Counter()
span = 0.0
for profile in trace["profiles"]:  # one evented profile per thread
    span = max(span, profile["endValue"] - profile["startValue"])
    stack, last = [], profile["startValue"]
    for event in profile["events"]:
        if stack:
            names = {frames[i] for i in stack}
            for label, pattern in STAGES.items():
                if any(pattern in n for n in names):
                    totals[label] += event["at"] - last
        last = event["at"]
        if event["type"] == "O":
            stack.append(event["frame"])
        else:
            stack.pop()
work = totals[next(iter(STAGES))] or 1
print(f"trace span {span:.0f} ms")
print("stage | thread ms | share of worker time")
for label in STAGES:
    print(f"{label} | {totals[label]:.0f} | {100 * totals[label] / work:.0f} %")
