#!/usr/bin/env python3
# Cost of creating files three ways on one file system: temp file + rename, O_TMPFILE + linkat, direct
# create. Usage: fs_create_probe.py SCRATCH_DIR FILE_SIZE COUNT (the folder is deleted afterwards).
import os, sys, time, hashlib, shutil, ctypes
libc = ctypes.CDLL(None, use_errno=True)
def linkfd(fd, p):
    if libc.linkat(-100, f"/proc/self/fd/{fd}".encode(), -100, p.encode(), 0x400) != 0: raise OSError(ctypes.get_errno(), p)
base = sys.argv[1]; size = int(sys.argv[2]); n = int(sys.argv[3])
data = os.urandom(size)
def fresh(name):
    d = os.path.join(base, name); shutil.rmtree(d, ignore_errors=True); os.makedirs(d + "/tmp")
    for i in range(256): os.makedirs(f"{d}/{i:02x}")
    os.sync(); return d
def rename(d):
    for i in range(n):
        p = f"{d}/{i%256:02x}/{i:064x}"; t = f"{d}/tmp/.{i}.tmp"
        fd = os.open(t, os.O_WRONLY|os.O_CREAT|os.O_EXCL, 0o644); os.write(fd, data); os.close(fd); os.rename(t, p)
def tmpfile(d):
    for i in range(n):
        dd = f"{d}/{i%256:02x}"; p = f"{dd}/{i:064x}"
        fd = os.open(dd, os.O_WRONLY|os.O_TMPFILE, 0o644); os.write(fd, data)
        linkfd(fd, p); os.close(fd)
def direct(d):
    for i in range(n):
        p = f"{d}/{i%256:02x}/{i:064x}"
        fd = os.open(p, os.O_WRONLY|os.O_CREAT|os.O_EXCL, 0o644); os.write(fd, data); os.close(fd)
for rep in range(3):
    for f in (rename, tmpfile, direct):
        d = fresh(f.__name__); t = time.perf_counter(); f(d); e = time.perf_counter() - t
        ts = time.perf_counter(); os.sync(); s = time.perf_counter() - ts
        print(f"{f.__name__:8s} size {size} n {n}: {1000*e/n:.3f} ms/file, then sync {s:.2f}s", flush=True)
shutil.rmtree(base, ignore_errors=True)
