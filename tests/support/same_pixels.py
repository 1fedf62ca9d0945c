#!/usr/bin/python3
"""same_pixels.py A B: exit 0 when A and B, both native (uncompressed), have the same image
attributes and the same pixel data (pydicom, Debian's python3); 1 with the difference otherwise."""
import sys

import pydicom

NATIVE = ("1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99")
KEYS = ("Rows", "Columns", "SamplesPerPixel", "BitsAllocated", "BitsStored", "PixelRepresentation")


def main():
    a, b = pydicom.dcmread(sys.argv[1]), pydicom.dcmread(sys.argv[2])
    for ds, name in ((a, sys.argv[1]), (b, sys.argv[2])):
        if str(ds.file_meta.TransferSyntaxUID) not in NATIVE:
            print("%s: stored in %s, not native" % (name, ds.file_meta.TransferSyntaxUID))
            return 1
    for k in KEYS:
        if getattr(a, k, None) != getattr(b, k, None):
            print("%s differs: %s vs %s" % (k, getattr(a, k, None), getattr(b, k, None)))
            return 1
    frames = int(getattr(a, "NumberOfFrames", 1) or 1)
    need = (int(a.Rows) * int(a.Columns) * int(a.SamplesPerPixel) * frames * int(a.BitsAllocated) + 7) // 8
    pa, pb = a.PixelData[:need], b.PixelData[:need]
    if int(getattr(a, "PlanarConfiguration", 0) or 0) != int(getattr(b, "PlanarConfiguration", 0) or 0):
        print("PlanarConfiguration differs")
        return 1
    if len(pa) != need or len(pb) != need:
        print("pixel data too short: %d, %d bytes of %d" % (len(pa), len(pb), need))
        return 1
    if pa != pb:
        n = next(i for i in range(need) if pa[i] != pb[i])
        print("pixel data differ from byte %d" % n)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
