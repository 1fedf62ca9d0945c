#!/usr/bin/env python3
"""Every compressed file of the shared corpus whose transfer syntax this build decodes converts to
Explicit VR Little Endian (`dicomkit convert FILE OUT --ts explicit`); files of a syntax without a
decoder are listed as skipped with the syntax's name. With pydicom (Debian's python3) the output
is checked: native, and its pixel data as long as the image needs; for lossless syntaxes it is
compared with DCMTK's or GDCM's decompression of the same file when that tool is installed and
gives the same photometric interpretation and planar configuration.

usage: pixel_corpus_test.py DICOMKIT CORPUS_DIR     (exit 77 when the corpus is absent)
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import tempfile

NATIVE = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.2"}
LOSSLESS = {"1.2.840.10008.1.2.5", "1.2.840.10008.1.2.4.57", "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80",
            "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202"}
# The decompressor of a peer per syntax (args before IN OUT).
PEERS = {"1.2.840.10008.1.2.5": ["dcmdrle"],
         "1.2.840.10008.1.2.4.57": ["dcmdjpeg"], "1.2.840.10008.1.2.4.70": ["dcmdjpeg"],
         "1.2.840.10008.1.2.4.80": ["dcmdjpls"],
         "1.2.840.10008.1.2.4.90": ["gdcmconv", "--raw"]}

try:
    import pydicom  # noqa: E402
except ImportError:
    pydicom = None


def expected_bytes(ds):
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    bits = int(ds.BitsAllocated)
    total = int(ds.Rows) * int(ds.Columns) * int(ds.SamplesPerPixel) * frames
    return (total * bits + 7) // 8


def check_output(path, has_pixels):
    """None when the output looks right, else why not."""
    if pydicom is None:
        return None
    ds = pydicom.dcmread(path)
    if not has_pixels:
        return None
    if ds.file_meta.TransferSyntaxUID != "1.2.840.10008.1.2.1":
        return "output in " + str(ds.file_meta.TransferSyntaxUID)
    if "PixelData" not in ds:
        return "no Pixel Data in the output"
    need = expected_bytes(ds)
    have = len(ds.PixelData)
    if have < need or have > need + 1:
        return "output pixel data has %d bytes, the image needs %d" % (have, need)
    return None


def compare_with_peer(src, out, uid, tmp):
    """'' when equal or not comparable, else why not equal; the note says with what."""
    if pydicom is None or uid not in PEERS or not shutil.which(PEERS[uid][0]):
        return "", ""
    ref = os.path.join(tmp, "ref.dcm")
    r = subprocess.run(PEERS[uid] + [src, ref], capture_output=True, timeout=120)
    if r.returncode != 0 or not os.path.exists(ref):
        return "", "(%s could not decode it)" % PEERS[uid][0]
    a, b = pydicom.dcmread(out), pydicom.dcmread(ref)
    for k in ("PhotometricInterpretation", "PlanarConfiguration"):
        if str(getattr(a, k, "")) != str(getattr(b, k, "")):
            return "", "(not compared with %s: %s %s vs %s)" % (PEERS[uid][0], k, getattr(a, k, ""), getattr(b, k, ""))
    need = expected_bytes(a)
    if a.PixelData[:need] == b.PixelData[:need]:
        return "", "(= %s)" % PEERS[uid][0]
    # The bits above Bits Stored are not part of the value (PS3.5 8.1.1): one side may sign-extend.
    bits, stored = int(a.BitsAllocated), int(a.BitsStored)
    if bits in (16, 32) and stored < bits:
        import numpy
        t = "<u2" if bits == 16 else "<u4"
        mask = (1 << stored) - 1
        x = numpy.frombuffer(a.PixelData[:need], t) & mask
        y = numpy.frombuffer(b.PixelData[:need], t) & mask
        if (x == y).all():
            return "", "(= %s within Bits Stored)" % PEERS[uid][0]
    # 1-bit frames: GDCM writes one byte a pixel (Bits Allocated 8) where dicomkit keeps them
    # packed as stored (PS3.5 8.1.1, least significant bit first): compare the pixel values.
    if int(a.BitsAllocated) == 1 and int(getattr(b, "BitsAllocated", 1)) == 8:
        import numpy
        count = int(a.Rows) * int(a.Columns) * int(getattr(a, "NumberOfFrames", 1) or 1)
        x = numpy.unpackbits(numpy.frombuffer(a.PixelData, numpy.uint8), bitorder="little")[:count]
        y = numpy.frombuffer(b.PixelData, numpy.uint8)[:count]
        if len(y) == count and (x == (y != 0)).all():
            return "", "(= %s, its bytes unpacked from our bits)" % PEERS[uid][0]
    n = next(i for i in range(need) if a.PixelData[i] != b.PixelData[i])
    return "pixels differ from %s's from byte %d" % (PEERS[uid][0], n), ""


# Files damaged on purpose: no decoder reads them (GDCM fails on them too).
CORRUPT = {
    "compressed/jpeg2000/JPEG2000-embedded-sequence-delimiter.dcm":
        "FFFE,E0DD written over the SIZ marker of the codestream",
}


def main():
    dicomkit, corpus = sys.argv[1], sys.argv[2]
    manifest = os.path.join(corpus, "MANIFEST.tsv")
    if not os.path.exists(manifest):
        print("no corpus at", corpus)
        return 77
    failed, passed, skipped = [], 0, {}
    with open(manifest, newline="") as f, tempfile.TemporaryDirectory() as tmp:
        for row in csv.DictReader(f, delimiter="\t"):
            ts = (row.get("transfer_syntax") or "").split(" ")[0]
            if not ts.startswith("1.2.840.10008.1.2") or ts in NATIVE:
                continue
            src = os.path.join(corpus, row["path"])
            out = os.path.join(tmp, "out.dcm")
            if os.path.exists(out):
                os.remove(out)
            r = subprocess.run([dicomkit, "convert", src, out, "--ts", "explicit"], capture_output=True, text=True,
                               timeout=300)
            if r.returncode == 3:
                m = re.search(r"no decoder for (.*)", r.stderr)
                skipped.setdefault(m.group(1).strip() if m else ts, []).append(row["path"])
                continue
            if r.returncode != 0 and row["path"] in CORRUPT:
                # Must be refused with an error message, never a crash or a written file.
                if r.returncode in (1, 2) and "E:" in r.stderr and not os.path.exists(out):
                    passed += 1
                    print("ok  ", row["path"], "(refused as it should be: %s)" % CORRUPT[row["path"]])
                    continue
            if r.returncode != 0:
                failed.append((row["path"], "convert exit %d: %s" % (r.returncode, r.stderr.strip()[-400:])))
                print("FAIL", row["path"], r.stderr.strip()[-400:])
                continue
            has_pixels = pydicom is None or "PixelData" in pydicom.dcmread(src, stop_before_pixels=False, force=True)
            why = check_output(out, has_pixels)
            note = ""
            if not why and has_pixels and ts in LOSSLESS:
                why, note = compare_with_peer(src, out, ts, tmp)
            if why:
                failed.append((row["path"], why))
                print("FAIL", row["path"], why)
                continue
            passed += 1
            print("ok  ", row["path"], note)
    for syntax, files in sorted(skipped.items()):
        print("skipped (no decoder for %s): %d files" % (syntax, len(files)))
        for p in files:
            print("      ", p)
    print("%d decoded, %d failed, %d skipped" % (passed, len(failed), sum(len(v) for v in skipped.values())))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
