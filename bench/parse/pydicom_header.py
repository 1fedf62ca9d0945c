"""Header parse throughput of pydicom: dcmread(stop_before_pixels=True) over the listed files."""
import sys
import time

import pydicom

repeat = int(sys.argv[1])
files = [l.strip() for l in open(sys.argv[2]) if l.strip()]
ok = 0
elements = 0
t0 = time.process_time()  # CPU time, as the C++ side measures
for _ in range(repeat):
    for f in files:
        try:
            ds = pydicom.dcmread(f, stop_before_pixels=True, force=True)
            elements += len(ds)
            ok += 1
        except Exception:
            pass
s = time.process_time() - t0
print("pydicom header parse: %d files in %.3f s CPU = %.1f files/s (%d top-level elements)" % (ok, s, ok / s, elements))
