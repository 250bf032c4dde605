"""Reference point: Pillow draft-mode decode-to-thumbnail on the same JPEG corpus, single thread.
Usage: python3 bench/Atelier.Bench.Decode/pillow_draft.py bench/data/jpeg-8mp [passes]"""
import io, os, statistics, sys, time
from PIL import Image

folder = sys.argv[1]
passes = int(sys.argv[2]) if len(sys.argv) > 2 else 5
blobs = [open(os.path.join(folder, n), "rb").read() for n in sorted(os.listdir(folder))]

def thumb(data):
    im = Image.open(io.BytesIO(data))
    im.draft("RGB", (256, 256))  # libjpeg DCT scaling, like DecodeOptions.MaxSide
    im.thumbnail((256, 256), Image.Resampling.BICUBIC)
    return im.tobytes()

thumb(blobs[0])
times = []
for _ in range(passes):
    t = time.perf_counter()
    for b in blobs:
        thumb(b)
    times.append(time.perf_counter() - t)
m = statistics.median(times)
print(f"pillow-draft | {len(blobs)} | {m:.3f} | {m * 1000 / len(blobs):.2f} | {len(blobs) / m:.0f}  (Pillow {Image.__version__})")
