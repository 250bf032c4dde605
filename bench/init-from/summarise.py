"""Summarises bench/init-from/run.sh: FD-ResNet18 per checkpoint and the time and energy each run took to reach the target."""
import datetime as dt
import glob
import json
import os
import sys

work, target_arg = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")


def when(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def run_info(name):
    show = json.load(open(os.path.join(work, f"show-{name}.json")))
    train = [e for e in show["energy"]["invocations"] if e["stage"] == "train"]
    total = show["energy"]["training"]
    return show, when(train[0]["startedAt"]), total


curves = {}
for name in ("scratch", "transfer"):
    show, start, total = run_info(name)
    points = []
    for path in glob.glob(os.path.join(work, f"eval-{name}-*.json")):
        e = json.load(open(path))
        ck = next(c for c in show["checkpoints"] if c["id"] == e["checkpointId"])
        points.append((e["checkpointImages"] / 1000, (when(ck["createdAt"]) - start).total_seconds(), e["frechetDistance"]["value"],
                       e["frechetDistance"]["generated"], e["frechetDistance"]["real"]))
    points.sort()
    curves[name] = (points, total)

target = float(target_arg) if target_arg else min(p[2] for p in curves["scratch"][0])
_, _, earlier = run_info("earlier")
print(f"target FD-ResNet18 <= {target:.1f} ({'given' if target_arg else 'best the scratch run reached'}); "
      f"samples behind each FD: {curves['scratch'][0][0][3]} generated, {curves['scratch'][0][0][4]} real")
print()
print("| kimg | scratch FD | scratch s | transfer FD | transfer s |")
print("|---:|---:|---:|---:|---:|")
for a, b in zip(*(curves[n][0] for n in ("scratch", "transfer"))):
    print(f"| {a[0]:.1f} | {a[2]:.1f} | {a[1]:.0f} | {b[2]:.1f} | {b[1]:.0f} |")
print()
print("| run | kimg to target | s to target | kWh to target (estimate) | whole run s | whole run kWh |")
print("|---|---:|---:|---:|---:|---:|")
reached = {}
for name in ("scratch", "transfer"):
    points, total = curves[name]
    hit = next((p for p in points if p[2] <= target), None)
    share = hit[1] / total["wallSeconds"] if hit else None
    reached[name] = (hit[1], total["kwh"] * share) if hit else None
    print(f"| {name} | {hit[0]:.1f} | {hit[1]:.0f} | {total['kwh'] * share:.6f} | {total['wallSeconds']:.0f} | {total['kwh']:.6f} |" if hit
          else f"| {name} | not reached | | | {total['wallSeconds']:.0f} | {total['kwh']:.6f} |")
print(f"| earlier run (other data, not counted above) | | | | {earlier['wallSeconds']:.0f} | {earlier['kwh']:.6f} |")
print()
if reached["scratch"] and reached["transfer"]:
    s, t = reached["scratch"], reached["transfer"]
    print(f"speed-up to target: time {s[0] / t[0]:.1f}x, energy {s[1] / t[1]:.1f}x; "
          f"counting the earlier run as well: time {s[0] / (t[0] + earlier['wallSeconds']):.2f}x")
