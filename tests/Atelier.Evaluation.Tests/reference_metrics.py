"""Reference Fréchet distance and KID in NumPy/SciPy, for the agreement tests.

Usage: reference_metrics.py REAL GENERATED SUBSETS
REAL, GENERATED: float64 little-endian files, a header of two int32 (rows, columns) then the rows.
SUBSETS: int32 file: (count, size), then per subset `size` real indices and `size` generated indices.
Prints one JSON object: {"fd": ..., "kid": ..., "kid_std": ...}.
FD follows pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm of sigma1 @ sigma2);
KID follows clean-fid's kernel_distance with the subsets given (cubic polynomial kernel, gamma 1/d, coef 1).
"""
import json
import sys

import numpy as np
from scipy import linalg


def load(path):
    raw = np.fromfile(path, dtype="<i4", count=2)
    rows, cols = int(raw[0]), int(raw[1])
    return np.fromfile(path, dtype="<f8", offset=8).reshape(rows, cols)


def frechet(x, y):
    mu1, mu2 = x.mean(axis=0), y.mean(axis=0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if np.iscomplexobj(covmean):
        covmean = covmean.real
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def kid(x, y, subsets):
    d = x.shape[1]
    values = []
    for real_idx, gen_idx in subsets:
        a, b = x[real_idx], y[gen_idx]
        m = len(real_idx)
        kxx = (a @ a.T / d + 1) ** 3
        kyy = (b @ b.T / d + 1) ** 3
        kxy = (a @ b.T / d + 1) ** 3
        value = ((kxx.sum() - np.diag(kxx).sum()) / (m * (m - 1))
                 + (kyy.sum() - np.diag(kyy).sum()) / (m * (m - 1))
                 - 2 * kxy.sum() / (m * m))
        values.append(value)
    return float(np.mean(values)), float(np.std(values))


def main():
    real, generated = load(sys.argv[1]), load(sys.argv[2])
    raw = np.fromfile(sys.argv[3], dtype="<i4")
    count, size = int(raw[0]), int(raw[1])
    body = raw[2:].reshape(count, 2, size)
    k, k_std = kid(real, generated, [(s[0], s[1]) for s in body])
    print(json.dumps({"fd": frechet(real, generated), "kid": k, "kid_std": k_std}))


if __name__ == "__main__":
    main()
