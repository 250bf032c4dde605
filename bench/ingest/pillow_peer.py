"""Peer for the ingest benchmark: what a minimal Python ingest does per file, on all cores:
read the bytes, SHA-256 them, decode (Pillow's thumbnail() may use JPEG draft/DCT scaling, its
default) and make a 64x64 thumbnail. Nothing is stored. Prints one JSON line with seconds.
The pixels are always decoded: thumbnail() alone returns without loading anything when the image
already fits (every 64 px emoji), which would time a header read, not a decode.
DRAFT_SIDE is the size asked of draft(): 128 is what thumbnail((64, 64)) asks by default (JPEG
DCT scale 1/8 here); 512 makes Pillow decode as many pixels as Atelier's analysis does (1/4).
Usage: /usr/bin/python3 bench/ingest/pillow_peer.py FOLDER [processes] [DRAFT_SIDE]"""
import hashlib, json, os, sys, time
from multiprocessing import Pool
from PIL import Image


DRAFT_SIDE = int(sys.argv[3]) if len(sys.argv) > 3 else 128


def work(path):
    with open(path, "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    with Image.open(path) as im:
        im.draft("RGB", (DRAFT_SIDE, DRAFT_SIDE))  # a no-op for PNG; JPEG DCT scaling
        im.load()
        im.thumbnail((64, 64))
        return digest, im.size


if __name__ == "__main__":
    started = time.perf_counter()  # process start cost is in the shell's wall time, not here
    folder = sys.argv[1]
    processes = int(sys.argv[2]) if len(sys.argv) > 2 else os.cpu_count()
    files = sorted(os.path.join(folder, n) for n in os.listdir(folder))
    with Pool(processes) as pool:
        results = pool.map(work, files, chunksize=8)
    seconds = time.perf_counter() - started
    print(json.dumps({"files": len(results), "seconds": round(seconds, 3), "processes": processes, "pillow": Image.__version__}))
