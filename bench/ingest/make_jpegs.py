"""Deterministic camera-size JPEGs for the ingest benchmark: smooth multi-scale colour fields,
shapes and sensor-like noise, so file sizes and decode cost resemble photos (not flat fills).
Usage: /usr/bin/python3 bench/ingest/make_jpegs.py OUT_DIR [count] [width] [height]"""
import os, sys
from multiprocessing import Pool
import numpy as np
from PIL import Image, ImageDraw, ImageFilter

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
width = int(sys.argv[3]) if len(sys.argv) > 3 else 3456
height = int(sys.argv[4]) if len(sys.argv) > 4 else 2304


def field(rng, cells_x, cells_y):
    """A smooth random RGB field: a tiny random image upsampled bicubically."""
    small = rng.integers(0, 256, (cells_y, cells_x, 3), dtype=np.uint8)
    return np.asarray(Image.fromarray(small).resize((width, height), Image.Resampling.BICUBIC), dtype=np.float32)


def make(i):
    path = os.path.join(out, f"photo-{i:04d}.jpg")
    if os.path.exists(path):
        return
    rng = np.random.default_rng(1000 + i)
    # Large-scale light, mid-scale structure, fine texture: like scenery at several distances.
    img = 0.55 * field(rng, 4, 3) + 0.3 * field(rng, 24, 16) + 0.15 * field(rng, 220, 150)
    canvas = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    for _ in range(40):
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        w, h = int(rng.integers(40, width // 4)), int(rng.integers(40, height // 4))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
        else:
            draw.rectangle([x, y, x + w, y + h], fill=colour)
    canvas = canvas.filter(ImageFilter.GaussianBlur(1.2))  # soften edges like a lens
    pixels = np.asarray(canvas, dtype=np.float32)
    pixels += rng.normal(0, 5.0, (height, width, 1)).astype(np.float32)  # luminance grain
    pixels += rng.normal(0, 2.5, (height, width, 3)).astype(np.float32)  # chroma grain
    tmp = path + ".tmp"
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(tmp, "JPEG", quality=90)
    os.replace(tmp, path)


if __name__ == "__main__":
    os.makedirs(out, exist_ok=True)
    with Pool(2) as pool:
        pool.map(make, range(count), chunksize=1)
