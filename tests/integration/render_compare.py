#!/usr/bin/env python3
"""Renders files with `dicomkit render` and DCMTK's dcm2pnm and compares them sample by sample.

Usage: render_compare.py DICOMKIT DATA_DIR WORK_DIR. Each case names the file, the options of
both tools, and the largest difference allowed (1 grey level unless written down below).
"""
import os
import struct
import subprocess
import sys
import zlib


def read_png(path):
    """(width, height, channels, depth, samples) of a non-interlaced PNG (grey or RGB)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = hdr[0], hdr[1], hdr[2], hdr[3]
    ch = {0: 1, 2: 3}[ctype]
    bpp = ch * depth // 8
    raw = zlib.decompress(idat)
    stride = w * bpp
    out, prev = bytearray(), bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        out += line
        prev = line
    if depth == 16:
        samples = list(struct.unpack(">%dH" % (len(out) // 2), bytes(out)))
    else:
        samples = list(out)
    return w, h, ch, depth, samples


# file, dicomkit options, dcm2pnm options, allowed difference, reason when above 1
CASES = [
    ("ct/CT_small.dcm", [], ["+Wm"], 1, ""),
    ("ct/CT_small.dcm", ["--window", "40,400"], ["+Ww", "40", "400"], 1, ""),
    ("ct/CT_small.dcm", ["--bits", "16", "--window", "40,400"], ["+Ww", "40", "400", "+on2"], 1, ""),
    ("mr/MR_small.dcm", [], ["+Wi", "1"], 1, ""),
    ("mr/MR_small_padded.dcm", [], ["+Wi", "1"], 1, ""),
    ("big_endian/MR_small_bigendian.dcm", [], ["+Wi", "1"], 1, ""),
    ("mr/0051.dcm", [], ["+Wi", "1"], 1, ""),
    ("other_modality/6154.dcm", [], ["+Wi", "1"], 1, ""),
    ("other_modality/6247.dcm", [], ["+Wi", "1"], 1, ""),
    ("other_modality/mlut_18.dcm", [], ["+Wm"], 1, ""),
    ("other_modality/vlut_04.dcm", [], ["+Wl", "1"], 1, ""),
    ("color/OBXXXX1A.dcm", [], [], 1, ""),
    ("color/examples_palette.dcm", [], [], 1, ""),
    ("implicit_vr/gdcm-US-ALOKA-16.dcm", [], [], None,
     "segmented palette LUTs: dcm2pnm 3.6.7 stops with 'Invalid element value'; rendered here and looked at"),
    ("charset/SC_rgb.dcm", [], [], 0, ""),
    ("charset/SC_rgb_16bit.dcm", [], [], 1, ""),
    ("charset/SC_ybr_full_uncompressed.dcm", [], [], 2,
     "YBR_FULL: dicomkit rounds the PS3.3 C.7.6.3.1.2 equations; DCMTK uses its own integer approximation"),
    ("mr/examples_overlay.dcm", ["--overlays"], ["+Wi", "1"], 1, ""),
    ("mr/MR-SIEMENS-DICOM-WithOverlays.dcm", ["--overlays"], ["+Wi", "1"], 1, ""),
    ("multiframe/emri_small.dcm", ["--frame", "3"], ["+Wm", "+F", "4"], 1, ""),
    ("multiframe/eCT_Supplemental.dcm", ["--frame", "1"], ["+Ww", "49", "102", "+F", "2"], 1, ""),
]


def main():
    dicomkit, data, work = sys.argv[1:4]
    if not os.path.isdir(data):
        print(f"skip: {data} is not here")
        return 0
    os.makedirs(work, exist_ok=True)
    failures, ran = 0, 0
    for i, (rel, ours, theirs, allowed, reason) in enumerate(CASES):
        src = os.path.join(data, rel)
        if not os.path.exists(src):
            print(f"skip {rel}: not present")
            continue
        a, b = os.path.join(work, f"{i}_dk.png"), os.path.join(work, f"{i}_dcmtk.png")
        r = subprocess.run([dicomkit, "render", src, a] + ours, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {rel}: dicomkit render: {r.stderr.strip()}")
            failures += 1
            continue
        if allowed is None:
            ran += 1
            print(f"ok {rel}: rendered, not compared ({reason})")
            continue
        deep = "+on2" in theirs
        opts = [o for o in theirs if o != "+on2"]
        r = subprocess.run(["dcm2pnm", "--quiet", "-il"] + opts + (["+on2"] if deep else ["+on"]) +
                           (["-O"] if "--overlays" not in ours else []) + [src, b], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {rel}: dcm2pnm: {r.stderr.strip()}")
            failures += 1
            continue
        wa, ha, ca, da, sa = read_png(a)
        wb, hb, cb, db, sb = read_png(b)
        ran += 1
        if (wa, ha, ca, da) != (wb, hb, cb, db):
            print(f"FAIL {rel}: {wa}x{ha}x{ca}@{da} vs dcm2pnm {wb}x{hb}x{cb}@{db}")
            failures += 1
            continue
        diff = max(abs(x - y) for x, y in zip(sa, sb))
        over = sum(1 for x, y in zip(sa, sb) if x != y)
        status = "ok" if diff <= allowed else "FAIL"
        print(f"{status} {rel} {' '.join(ours)}: max difference {diff}, {over} samples differ{' (' + reason + ')' if reason else ''}")
        failures += status == "FAIL"
    print(f"{ran} compared, {failures} failed")
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
