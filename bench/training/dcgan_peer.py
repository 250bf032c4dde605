#!/usr/bin/python3
"""PyTorch peer for Atelier's DCGAN training benchmark.

The loop follows the PyTorch examples' dcgan/main.py: one G forward per iteration; D on real and on
fake.detach(); then the G step through D(fake). The network is the DCGAN of that example generalised
to R in {32, 64, 128, ...}: n = log2(R) - 2 channel levels, level i (from the 4x4 top) has
min(512, 64 * 2^(n-1-i)) channels.

Data: the same Atelier shard export the Atelier trainer reads (dataset.json + shard-*.bin, a 64-byte
header then uint8 NHWC pixels), memory-mapped with numpy. The pipeline is what a PyTorch user writes:
a map-style Dataset whose __getitem__ turns one image into a float CHW tensor in [-1, 1], and a
DataLoader(batch_size=64, shuffle=True, drop_last=True, num_workers=0) that reshuffles every epoch.

Prints one JSON line at the end: imagesPerSecond (measured after a warm-up of 5 iterations), images,
seconds, peakRssBytes, plus the configuration.

Usage: dcgan_peer.py EXPORT_DIR [--kimg K | --iterations N] [--warmup 5] [--seed 1]
"""
import os

# Before numpy/torch load OpenBLAS: one BLAS thread; torch's own intra-op pool gets 2 (below).
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse
import glob
import json
import math
import resource
import struct
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as e:
    sys.exit(f"dcgan_peer: {e.name} is missing; install Debian's packages as root: "
             "apt-get update && apt-get install -y python3-torch libopenblas0 python3-numpy")

HEADER = struct.Struct("<8sIIQIIIIQI12x")  # magic, version, header size, count, h, w, c, layout, first, shard
assert HEADER.size == 64


class ShardExport(torch.utils.data.Dataset):
    """All shards of one Atelier export, memory-mapped; item i is a float CHW tensor in [-1, 1]."""

    def __init__(self, directory, resolution):
        if not os.path.isfile(os.path.join(directory, "dataset.json")):
            sys.exit(f"dcgan_peer: {directory} has no dataset.json (missing or unfinished export)")
        self.shards = []
        for path in sorted(glob.glob(os.path.join(directory, "shard-*.bin"))):
            with open(path, "rb") as f:
                magic, version, size, count, h, w, c, layout, first, _ = HEADER.unpack(f.read(64))
            if magic != b"ATLSHRD1" or version != 1 or size != 64 or layout != 1 or c != 3:
                sys.exit(f"dcgan_peer: {path} is not an Atelier v1 NHWC RGB shard")
            if h != resolution or w != resolution:
                sys.exit(f"dcgan_peer: {path} holds {w}x{h} images, not {resolution}x{resolution}")
            pixels = np.memmap(path, dtype=np.uint8, mode="r", offset=64, shape=(count, h, w, c))
            self.shards.append((first, pixels))
        if not self.shards:
            sys.exit(f"dcgan_peer: no shard-*.bin in {directory}")
        self.count = sum(len(p) for _, p in self.shards)

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        for first, pixels in self.shards:
            if index < first + len(pixels):
                image = torch.from_numpy(np.array(pixels[index - first]))  # HWC uint8 copy
                return image.permute(2, 0, 1).float().div_(127.5).sub_(1.0)
        raise IndexError(index)


def channels(resolution):
    n = int(math.log2(resolution)) - 2
    if 4 * 2 ** n != resolution:
        sys.exit(f"dcgan_peer: resolution {resolution} is not a power of two >= 8")
    return [min(512, 64 * 2 ** (n - 1 - i)) for i in range(n)]


def generator(resolution, nz):
    c = channels(resolution)
    layers = [nn.ConvTranspose2d(nz, c[0], 4, 1, 0, bias=False), nn.BatchNorm2d(c[0]), nn.ReLU(True)]
    for a, b in zip(c, c[1:]):
        layers += [nn.ConvTranspose2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(True)]
    layers += [nn.ConvTranspose2d(c[-1], 3, 4, 2, 1, bias=False), nn.Tanh()]
    return nn.Sequential(*layers)


def discriminator(resolution):
    c = channels(resolution)[::-1]  # from the full-resolution end
    layers = [nn.Conv2d(3, c[0], 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True)]
    for a, b in zip(c, c[1:]):
        layers += [nn.Conv2d(a, b, 4, 2, 1, bias=False), nn.BatchNorm2d(b), nn.LeakyReLU(0.2, inplace=True)]
    layers += [nn.Conv2d(c[-1], 1, 4, 1, 0, bias=False), nn.Flatten(0)]  # logits [B]
    return nn.Sequential(*layers)


def weights_init(m):  # as in dcgan/main.py
    name = m.__class__.__name__
    if name.find("Conv") != -1:
        nn.init.normal_(m.weight.data, 0.0, 0.02)
    elif name.find("BatchNorm") != -1:
        nn.init.normal_(m.weight.data, 1.0, 0.02)
        nn.init.constant_(m.bias.data, 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("export")
    p.add_argument("--resolution", type=int, help="default: from the shard header")
    p.add_argument("--kimg", type=float, default=1.0, help="thousands of images to train on after the warm-up")
    p.add_argument("--iterations", type=int, help="timed iterations (overrides --kimg)")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--flush-denormal", action="store_true", help="treat subnormal floats as zero (not the default)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    if a.flush_denormal:
        torch.set_flush_denormal(True)
    torch.manual_seed(a.seed)
    if a.resolution is None:
        first = sorted(glob.glob(os.path.join(a.export, "shard-*.bin")))
        if not first:
            sys.exit(f"dcgan_peer: no shard-*.bin in {a.export}")
        with open(first[0], "rb") as f:
            a.resolution = HEADER.unpack(f.read(64))[4]
    data = ShardExport(a.export, a.resolution)
    loader = torch.utils.data.DataLoader(data, batch_size=a.batch, shuffle=True, drop_last=True, num_workers=0)
    iterations = a.iterations or math.ceil(a.kimg * 1000 / a.batch)

    nz = 100
    netG, netD = generator(a.resolution, nz), discriminator(a.resolution)
    netG.apply(weights_init)
    netD.apply(weights_init)
    criterion = nn.BCEWithLogitsLoss()
    optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
    optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real_label, fake_label = 1.0, 0.0

    def batches():
        while True:  # endless epochs, each reshuffled by the DataLoader
            yield from loader

    stream = batches()
    t0 = None
    for i in range(a.warmup + iterations):
        if i == a.warmup:
            t0 = time.perf_counter()
        real = next(stream)
        b = real.size(0)
        # (1) D: maximise log D(x) + log(1 - D(G(z)))
        netD.zero_grad()
        label = torch.full((b,), real_label)
        errD_real = criterion(netD(real), label)
        errD_real.backward()
        noise = torch.randn(b, nz, 1, 1)
        fake = netG(noise)
        label.fill_(fake_label)
        errD_fake = criterion(netD(fake.detach()), label)
        errD_fake.backward()
        optD.step()
        # (2) G: maximise log D(G(z))
        netG.zero_grad()
        label.fill_(real_label)
        errG = criterion(netD(fake), label)
        errG.backward()
        optG.step()
    seconds = time.perf_counter() - t0
    images = iterations * a.batch
    if not math.isfinite(errD_real.item() + errD_fake.item() + errG.item()):
        sys.exit("dcgan_peer: the losses are not finite")
    print(json.dumps({
        "imagesPerSecond": images / seconds,
        "images": images,
        "seconds": seconds,
        "peakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "resolution": a.resolution,
        "batch": a.batch,
        "warmupIterations": a.warmup,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "datasetImages": len(data),
        "pipeline": "Dataset.__getitem__ (memmap -> float CHW [-1,1]) + DataLoader(shuffle, num_workers=0)",
    }))


if __name__ == "__main__":
    main()
