"""Summarises bench/init-from/run.sh: FD-ResNet18 per checkpoint and the time and energy each run took to reach the
target, seed by seed (a pair per seed, and a --freeze-d run where the bench made one), and the median speed-ups."""
import datetime as dt
import glob
import json
import os
import statistics
import sys

work, seeds = sys.argv[1], sys.argv[2].split()
target_arg = sys.argv[3] if len(sys.argv) > 3 else ""


def when(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def run_info(name):
    show = json.load(open(os.path.join(work, f"show-{name}.json")))
    train = [e for e in show["energy"]["invocations"] if e["stage"] == "train"]
    return show, when(train[0]["startedAt"]), show["energy"]["training"]


def curve(name):
    show, start, total = run_info(name)
    points = []
    for path in glob.glob(os.path.join(work, f"eval-{name}-*.json")):
        e = json.load(open(path))
        ck = next(c for c in show["checkpoints"] if c["id"] == e["checkpointId"])
        points.append((e["checkpointImages"] / 1000, (when(ck["createdAt"]) - start).total_seconds(), e["frechetDistance"]["value"],
                       e["frechetDistance"]["generated"], e["frechetDistance"]["real"]))
    points.sort()
    return points, total


_, _, earlier = run_info("earlier")
speedups = {}   # kind -> [(time, energy) per seed that reached the target]
for seed in seeds:
    # "freezed" (--freeze-d) runs where the bench made them; with UNTIL_TARGET their curves stop at the target.
    kinds = ["scratch", "transfer"] + (["freezed"] if os.path.exists(os.path.join(work, f"show-freezed-s{seed}.json")) else [])
    curves = {kind: curve(f"{kind}-s{seed}") for kind in kinds}
    target = float(target_arg) if target_arg else min(p[2] for p in curves["scratch"][0])
    first = curves["scratch"][0][0]
    print(f"## seed {seed}: target FD-ResNet18 <= {target:.1f} ({'given' if target_arg else 'best the scratch run reached'}); "
          f"samples behind each FD: {first[3]} generated, {first[4]} real")
    print()
    print("| kimg | " + " | ".join(f"{k} FD | {k} s" for k in kinds) + " |")
    print("|---:|" + "---:|---:|" * len(kinds))
    by_kimg = {k: {round(p[0], 3): p for p in curves[k][0]} for k in kinds}
    for kimg in sorted(set().union(*(by_kimg[k] for k in kinds))):
        cells = [f"{by_kimg[k][kimg][2]:.1f} | {by_kimg[k][kimg][1]:.0f}" if kimg in by_kimg[k] else "- | -" for k in kinds]
        print(f"| {kimg:.1f} | " + " | ".join(cells) + " |")
    print()
    print("| run | kimg to target | s to target | kWh to target (estimate) | whole run s | whole run kWh |")
    print("|---|---:|---:|---:|---:|---:|")
    reached = {}
    for kind in kinds:
        points, total = curves[kind]
        hit = next((p for p in points if p[2] <= target), None)
        share = hit[1] / total["wallSeconds"] if hit else None
        reached[kind] = (hit[1], total["kwh"] * share) if hit else None
        print(f"| {kind} | {hit[0]:.1f} | {hit[1]:.0f} | {total['kwh'] * share:.6f} | {total['wallSeconds']:.0f} | {total['kwh']:.6f} |" if hit
              else f"| {kind} | not reached | | | {total['wallSeconds']:.0f} | {total['kwh']:.6f} |")
    print()
    for kind in kinds[1:]:
        if reached["scratch"] and reached[kind]:
            s, t = reached["scratch"], reached[kind]
            speedups.setdefault(kind, []).append((s[0] / t[0], s[1] / t[1]))
            print(f"{kind}: speed-up to target: time {s[0] / t[0]:.1f}x, energy {s[1] / t[1]:.1f}x; "
                  f"counting the earlier run as well: time {s[0] / (t[0] + earlier['wallSeconds']):.2f}x")
        else:
            speedups.setdefault(kind, [])
            print(f"{kind}: speed-up to target: not measured (a run did not reach it)")
    print()
print(f"earlier run (other data, made once, not counted above): {earlier['wallSeconds']:.0f} s, {earlier['kwh']:.6f} kWh")
if len(seeds) > 1:
    for kind, values in speedups.items():
        print(f"{kind}: sets that reached the target: {len(values)} of {len(seeds)}; "
              + (f"median speed-up: time {statistics.median(x[0] for x in values):.1f}x, energy {statistics.median(x[1] for x in values):.1f}x "
                 f"(each seed: {', '.join(f'{x[0]:.1f}x' for x in values)})" if values else "no median"))
