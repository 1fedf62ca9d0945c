#!/usr/bin/env python3
"""Checks what a peer with `deidentify` set received from dicomkit serve (serve_deidentify_test.sh).

usage: serve_deidentify_check.py ORIGINALS_DIR RECEIVED_DIR [RECEIVED_DIR...]

Each RECEIVED_DIR must hold one de-identified copy of every original: no original Patient's Name,
Patient ID or non-standard UID in any element at any depth, no identity value of PHI.txt (when
ORIGINALS_DIR has one) in any byte; the RTSTRUCT's contour images, referenced series and frames of
reference, the RTPLAN's structure set and the RTDOSE's plan resolve to received instances; and every
RECEIVED_DIR has the same SOP Instance UIDs (the keyed replacement is the same in every send).
Exits 0 when all holds, 1 otherwise, 77 without pydicom.
"""
import os
import sys

try:
    import pydicom
except ImportError:
    print("skip: no pydicom")
    sys.exit(77)

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def read_dir(d):
    out = {}
    for f in sorted(os.listdir(d)):
        p = os.path.join(d, f)
        if not os.path.isfile(p):
            continue
        try:
            out[p] = pydicom.dcmread(p)
        except Exception as e:  # not DICOM (PHI.txt, README.md)
            if f.endswith(".dcm"):
                check(False, f"{p}: pydicom cannot read it: {e}")
    return out


def uids(ds):
    found = set()
    for el in ds.iterall():
        if el.VR == "UI" and el.value:
            vals = el.value if isinstance(el.value, pydicom.multival.MultiValue) else [el.value]
            found.update(str(v) for v in vals)
    return found


originals = read_dir(sys.argv[1])
check(len(originals) > 0, "no originals")
orig_names = {str(ds.get("PatientName", "")) for ds in originals.values()} - {""}
orig_ids = {str(ds.get("PatientID", "")) for ds in originals.values()} - {""}
orig_uids = set()
for ds in originals.values():
    orig_uids |= {u for u in uids(ds) if not u.startswith("1.2.840.10008.")}
phi_path = os.path.join(sys.argv[1], "PHI.txt")
phi = [l.strip() for l in open(phi_path, encoding="utf-8") if l.strip()] if os.path.exists(phi_path) else []

sets = []
for d in sys.argv[2:]:
    got = read_dir(d)
    check(len(got) == len(originals), f"{d}: {len(got)} files, {len(originals)} sent")
    sops = {}
    for p, ds in got.items():
        check(str(ds.get("PatientName", "")) not in orig_names, f"{p}: original Patient's Name")
        check(str(ds.get("PatientID", "")) not in orig_ids, f"{p}: original Patient ID")
        left = uids(ds) & orig_uids
        check(not left, f"{p}: original UIDs left: {sorted(left)[:3]}")
        check(str(ds.get("PatientIdentityRemoved", "")) == "YES", f"{p}: PatientIdentityRemoved is not YES")
        raw = open(p, "rb").read()
        for v in phi:
            check(v.encode("utf-8") not in raw, f"{p}: identity value {v!r} in the bytes")
        sops[str(ds.SOPInstanceUID)] = ds
    sets.append(set(sops))
    by_modality = {}
    for ds in sops.values():
        by_modality.setdefault(str(ds.Modality), []).append(ds)
    ct = by_modality.get("CT", [])
    ct_sops = {str(x.SOPInstanceUID) for x in ct}
    ct_series = {str(x.SeriesInstanceUID) for x in ct}
    ct_for = {str(x.FrameOfReferenceUID) for x in ct}
    studies = {str(x.StudyInstanceUID) for x in sops.values()}
    check(len(studies) == 1, f"{d}: {len(studies)} studies, one sent")
    for rs in by_modality.get("RTSTRUCT", []):
        refs = 0
        for fr in rs.ReferencedFrameOfReferenceSequence:
            check(str(fr.FrameOfReferenceUID) in ct_for, f"{d}: RTSTRUCT frame of reference -> CT")
            for st in fr.RTReferencedStudySequence:
                for se in st.RTReferencedSeriesSequence:
                    check(str(se.SeriesInstanceUID) in ct_series, f"{d}: RTReferencedSeries -> CT series")
                    for ci in se.ContourImageSequence:
                        refs += 1
                        check(str(ci.ReferencedSOPInstanceUID) in ct_sops,
                              f"{d}: RTSTRUCT ReferencedSOPInstanceUID {ci.ReferencedSOPInstanceUID} -> CT")
        for roi in rs.StructureSetROISequence:
            check(str(roi.ReferencedFrameOfReferenceUID) in ct_for, f"{d}: ROI frame of reference")
        check(refs > 0, f"{d}: the RTSTRUCT references no CT image")
    for rp in by_modality.get("RTPLAN", []):
        for r in rp.ReferencedStructureSetSequence:
            check(str(r.ReferencedSOPInstanceUID) in sops, f"{d}: RTPLAN -> RTSTRUCT")
    for rd in by_modality.get("RTDOSE", []):
        for r in rd.ReferencedRTPlanSequence:
            check(str(r.ReferencedSOPInstanceUID) in sops, f"{d}: RTDOSE -> RTPLAN")
    check(not (set(sops) & orig_uids), f"{d}: original SOP Instance UIDs")

for i, s in enumerate(sets[1:], 1):
    check(s == sets[0], f"{sys.argv[2 + i]}: other SOP Instance UIDs than {sys.argv[2]}")

print(f"{len(sys.argv) - 2} folders checked, {len(failures)} failures")
sys.exit(1 if failures else 0)
