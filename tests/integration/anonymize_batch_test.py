#!/usr/bin/env python3
"""`dicomkit anonymize` file handling with several workers: files of every size around the read
buffer (one byte under, exactly at, over 256 KiB, and several MiB) come out whole and readable; the
originals are unchanged byte for byte; no temporary file is left; a second run into the same folder
replaces the outputs; a target that cannot be written (a folder where the file should go) fails
with an error naming it, the other files are still written, and nothing half-written is left.

usage: anonymize_batch_test.py DICOMKIT RT_SET_DIR
"""
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import pydicom
except ImportError:
    print("skip: no pydicom")
    sys.exit(77)

dk, data = sys.argv[1], sys.argv[2]
failures = []
BUFFER = 256 * 1024  # BatchFileIo's first read size


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, expect=0):
    p = subprocess.run([dk] + args, capture_output=True, text=True)
    if p.returncode != expect:
        print(p.stdout, p.stderr)
    check(p.returncode == expect, f"exit {p.returncode} (expected {expect}): {' '.join(args)}")
    return p


def sized_copy(src, dst, size):
    """CT.01.dcm with a private OB element making the file exactly `size` bytes."""
    ds = pydicom.dcmread(src)
    ds.add_new(0x00090010, "LO", "PADDING")
    ds.add_new(0x00091010, "OB", b"")
    ds.save_as(dst, write_like_original=False)
    pad = size - os.path.getsize(dst)
    assert pad >= 0 and pad % 2 == 0, pad
    ds[0x00091010].value = b"\x00" * pad
    ds.save_as(dst, write_like_original=False)
    assert os.path.getsize(dst) == size, (dst, os.path.getsize(dst), size)


def digest(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "in")
    os.makedirs(os.path.join(src, "sub"))
    cts = sorted(f for f in os.listdir(data) if f.startswith("CT."))
    for f in cts:
        shutil.copy(os.path.join(data, f), os.path.join(src, f))
    base = os.path.join(data, cts[0])
    for name, size in (("under.dcm", BUFFER - 2), ("at.dcm", BUFFER), ("over.dcm", BUFFER + 2),
                       ("large.dcm", 5 * BUFFER * 4)):
        sized_copy(base, os.path.join(src, "sub", name), size)
    open(os.path.join(src, "notes.txt"), "w").write("not DICOM\n")
    inputs = {}
    for root, _, files in os.walk(src):
        for f in files:
            inputs[os.path.join(root, f)] = digest(os.path.join(root, f))
    dicom_inputs = [p for p in inputs if p.endswith(".dcm")]

    out = os.path.join(tmp, "out")
    for attempt in (1, 2):  # the second run replaces every output
        p = run(["anonymize", src, "--out", out, "--key", "k", "--keep-names", "-j", "3"])
        check(f"{len(dicom_inputs)} written" in p.stderr, f"run {attempt}: all written: {p.stderr.strip()}")
    outputs = []
    for root, _, files in os.walk(out):
        for f in files:
            outputs.append(os.path.join(root, f))
    check(not [f for f in outputs if ".tmp" in os.path.basename(f)], f"temporary files left: {outputs}")
    for path in dicom_inputs:
        rel = os.path.relpath(path, os.path.dirname(src))
        o = os.path.join(out, rel)
        check(os.path.exists(o), f"missing output {rel}")
        if not os.path.exists(o):
            continue
        ds = pydicom.dcmread(o)
        ref = pydicom.dcmread(path)
        check(ds.PixelData == ref.PixelData, f"{rel}: pixel data differs")
        check(ds.SOPInstanceUID != ref.SOPInstanceUID, f"{rel}: SOP Instance UID kept")
        check(0x00091010 not in ds, f"{rel}: private padding kept")
    for path, d in inputs.items():
        check(digest(path) == d, f"input changed: {path}")

    # A folder where an output file should go: that file fails, by name; the rest are written.
    out2 = os.path.join(tmp, "out2")
    blocked = os.path.join(out2, "in", "sub", "at.dcm")
    os.makedirs(blocked)
    p = run(["anonymize", src, "--out", out2, "--key", "k", "--keep-names", "-j", "2"], expect=1)
    check(os.path.join("in", "sub", "at.dcm") in p.stderr, f"error names the file: {p.stderr.strip()}")
    check(f"{len(dicom_inputs) - 1} written, 1 failed" in p.stderr, f"counts: {p.stderr.strip()}")
    check(os.path.isdir(blocked) and not os.listdir(blocked), "the blocking folder is untouched")
    left = [f for _, _, fs in os.walk(out2) for f in fs if ".tmp" in f]
    check(not left, f"temporary files left after a failure: {left}")

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("ok")
