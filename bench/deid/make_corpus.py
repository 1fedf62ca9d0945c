#!/usr/bin/env python3
"""Writes the de-identification benchmark corpus: N Part 10 files copied from templates (the CT
slices of tests/data/rt_set and a few small samples of other modalities) with new Study, Series and
SOP Instance UIDs, patient names and IDs (fixed seed: the same corpus every time), 100 instances a
study, 50 a series, laid out as DIR/pNNN/FILE.dcm.

usage: make_corpus.py OUT_DIR N TEMPLATE...
"""
import os
import random
import sys

import pydicom
from pydicom.uid import generate_uid

out, n, templates = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
random.seed(1234)
sources = [pydicom.dcmread(t) for t in templates]
root = "1.2.826.0.1.3680043.8.498."
study = series = None
for i in range(n):
    if i % 100 == 0:
        study = generate_uid(prefix=root, entropy_srcs=[f"study{i}"])
        pid = f"{random.randrange(10**9, 10**10)}"
        name = random.choice(["Muster^Max", "Huber^Anna", "Keller^Jonas", "Rossi^Lea"]) + f"^{i // 100}"
    if i % 50 == 0:
        series = generate_uid(prefix=root, entropy_srcs=[f"series{i}"])
    ds = sources[i % len(sources)].copy()
    ds.StudyInstanceUID = study
    ds.SeriesInstanceUID = series
    ds.SOPInstanceUID = generate_uid(prefix=root, entropy_srcs=[f"sop{i}"])
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.PatientID = pid
    ds.PatientName = name
    ds.InstanceNumber = i % 50 + 1
    folder = os.path.join(out, f"p{i // 100:03d}")
    os.makedirs(folder, exist_ok=True)
    ds.save_as(os.path.join(folder, f"{i:05d}.dcm"), write_like_original=True)
print(f"wrote {n} files to {out}")
