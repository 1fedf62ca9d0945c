#!/usr/bin/python3
"""same_pixels.py A B: exit 0 when A and B, both native (uncompressed), have the same image
attributes and the same pixel data (pydicom, Debian's python3); 1 with the difference otherwise.

same_pixels.py --serve: the same check, and attribute look-ups, for many files in one process (a
script that asks hundreds of times pays pydicom's start-up once). One request a line on standard
input, fields separated by tabs; one answer line each, "STATUS<TAB>TEXT" (STATUS 0 or 1):
    same<TAB>A<TAB>B       0 when A and B have the same pixels, else 1 and the difference
    get<TAB>FILE<TAB>NAME  0 and the value of attribute NAME (file meta group or data set)
"""
import sys

import pydicom

NATIVE = ("1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99")
KEYS = ("Rows", "Columns", "SamplesPerPixel", "BitsAllocated", "BitsStored", "PixelRepresentation")


def compare(path_a, path_b):
    """None when the two files have the same pixels, else the difference."""
    a, b = pydicom.dcmread(path_a), pydicom.dcmread(path_b)
    for ds, name in ((a, path_a), (b, path_b)):
        if str(ds.file_meta.TransferSyntaxUID) not in NATIVE:
            return "%s: stored in %s, not native" % (name, ds.file_meta.TransferSyntaxUID)
    for k in KEYS:
        if getattr(a, k, None) != getattr(b, k, None):
            return "%s differs: %s vs %s" % (k, getattr(a, k, None), getattr(b, k, None))
    frames = int(getattr(a, "NumberOfFrames", 1) or 1)
    need = (int(a.Rows) * int(a.Columns) * int(a.SamplesPerPixel) * frames * int(a.BitsAllocated) + 7) // 8
    pa, pb = a.PixelData[:need], b.PixelData[:need]
    if int(getattr(a, "PlanarConfiguration", 0) or 0) != int(getattr(b, "PlanarConfiguration", 0) or 0):
        return "PlanarConfiguration differs"
    if len(pa) != need or len(pb) != need:
        return "pixel data too short: %d, %d bytes of %d" % (len(pa), len(pb), need)
    if pa != pb:
        n = next(i for i in range(need) if pa[i] != pb[i])
        return "pixel data differ from byte %d" % n
    return None


def attribute(path, name):
    ds = pydicom.dcmread(path)
    if name in ds.file_meta:
        return str(ds.file_meta[name].value)
    return str(ds[name].value)


def serve():
    for line in sys.stdin:
        fields = line.rstrip("\n").split("\t")
        try:
            if fields[0] == "same" and len(fields) == 3:
                difference = compare(fields[1], fields[2])
                answer = (1, difference) if difference else (0, "")
            elif fields[0] == "get" and len(fields) == 3:
                answer = (0, attribute(fields[1], fields[2]))
            else:
                answer = (1, "unknown request: %r" % line)
        except Exception as e:  # an unreadable file: the answer says why
            answer = (1, "%s: %s" % (type(e).__name__, e))
        sys.stdout.write("%d\t%s\n" % (answer[0], " ".join(answer[1].split())))
        sys.stdout.flush()
    return 0


def main():
    if sys.argv[1:] == ["--serve"]:
        return serve()
    difference = compare(sys.argv[1], sys.argv[2])
    if difference:
        print(difference)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
