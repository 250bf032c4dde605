#!/usr/bin/python3
"""Benign test pictures larger than 512 px for the PDQ reference-agreement check, as JPEG quality 95.

Half are synthetic drawings (gradient backgrounds, overlapping shapes, soft stripes), half are the
repository's Noto emoji (data/emoji-sample, Apache-2.0) flattened on a tinted background and enlarged
with bicubic resampling, like clip art saved large. Sizes and aspect ratios vary (513 to 4000 px a
side, some with one side under 512). Deterministic for a given seed.
Usage: /usr/bin/python3 bench/pdq/make_images.py OUT_DIR COUNT [SEED]
"""
import os
import random
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

out, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261201)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
emoji_dir = os.path.join(root, "data", "emoji-sample", "img")
emoji = sorted(f for f in os.listdir(emoji_dir) if f.endswith(".png"))
os.makedirs(out, exist_ok=True)


def size():
    long_side = rng.randint(513, 4000)
    aspect = rng.choice([1.0, 1.0, 4 / 3, 3 / 2, 16 / 9, 2.5, 0.75, 0.5625])
    w, h = (long_side, max(64, round(long_side / aspect))) if aspect >= 1 else (max(64, round(long_side * aspect)), long_side)
    return w, h


def drawing(w, h):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
    base = np.stack([
        (np.sin((xx * a / w + yy * b / h) * rng.uniform(2, 9) + rng.uniform(0, 6)) * 0.5 + 0.5) * 255,
        (xx / w) * 255,
        (yy / h) * 255,
    ], axis=-1)
    img = Image.fromarray(base.astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(rng.randint(4, 14)):
        x0, y0 = rng.uniform(-0.2, 1) * w, rng.uniform(-0.2, 1) * h
        x1, y1 = x0 + rng.uniform(0.05, 0.6) * w, y0 + rng.uniform(0.05, 0.6) * h
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        kind = rng.random()
        if kind < 0.4:
            d.ellipse([x0, y0, x1, y1], fill=colour)
        elif kind < 0.8:
            d.rectangle([x0, y0, x1, y1], fill=colour)
        else:
            d.polygon([(rng.uniform(0, w), rng.uniform(0, h)) for _ in range(rng.randint(3, 6))], fill=colour)
    if rng.random() < 0.5:
        img = img.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.5, 3) * max(w, h) / 1000))
    return img


def clip_art(w, h):
    name = emoji[rng.randrange(len(emoji))]
    icon = Image.open(os.path.join(emoji_dir, name)).convert("RGBA")
    tint = tuple(rng.randint(180, 255) for _ in range(3))
    canvas = Image.new("RGBA", icon.size, tint + (255,))
    flat = Image.alpha_composite(canvas, icon).convert("RGB")
    return flat.resize((w, h), Image.BICUBIC)


for i in range(count):
    w, h = size()
    img = drawing(w, h) if i % 2 == 0 else clip_art(w, h)
    img.save(os.path.join(out, f"p{i:03d}.jpg"), quality=95)
