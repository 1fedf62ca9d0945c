#!/usr/bin/env python3
"""`dicomkit anonymize` on the DICOM-RT set in two batches with one key (the CT series in one run,
RTSTRUCT/RTPLAN/RTDOSE in a second run into the same folder): every instance UID is replaced,
every reference (contour images, referenced frame of reference and series, structure set, plan,
frame of reference) resolves inside the output, no identity value of PHI.txt (nor its usual
variants) is left in any byte of any output, pydicom reads every output, a --map-out CSV lists the
patient, non-DICOM files are skipped, an output folder inside the input is refused, and dciodvfy
(when installed) reports no error on an output CT that it does not report on its input.

usage: anonymize_rt_test.py DICOMKIT RT_SET_DIR
"""
import os
import re
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


def uids_of(ds, out):
    """Every UI value at any depth, with its tag keyword."""
    for el in ds.iterall():
        if el.VR == "UI" and el.value:
            vals = el.value if isinstance(el.value, pydicom.multival.MultiValue) else [el.value]
            for v in vals:
                out.append((el.keyword, str(v)))


work = tempfile.mkdtemp(prefix="dk_anon_")
try:
    ct_in = os.path.join(work, "in_ct")
    rt_in = os.path.join(work, "in_rt")
    os.makedirs(ct_in)
    os.makedirs(os.path.join(rt_in, "sub"))
    for f in sorted(os.listdir(data)):
        src = os.path.join(data, f)
        if f.startswith("CT."):
            shutil.copy(src, ct_in)
        elif f.endswith(".dcm"):
            shutil.copy(src, os.path.join(rt_in, "sub"))
    shutil.copy(os.path.join(data, "PHI.txt"), rt_in)  # not DICOM: skipped
    out = os.path.join(work, "out")
    key = "rt-set-test-key"

    run(["anonymize", ct_in, "--out", out, "--key", key, "-j", "2"])
    p = run(["anonymize", rt_in, "--out", out, "--key", key, "--map-out", os.path.join(work, "map.csv")])
    check("skipped (not DICOM)" in p.stderr and "PHI.txt" in p.stderr, "PHI.txt noted as skipped")
    run(["anonymize", ct_in, "--out", os.path.join(ct_in, "o"), "--key", key], expect=2)
    check(not os.path.exists(os.path.join(ct_in, "o")), "nothing written inside the input")

    outputs = []
    for root, _, files in os.walk(out):
        outputs += [os.path.join(root, f) for f in files if f.endswith(".dcm")]
    check(len(outputs) == 11, f"11 outputs, found {len(outputs)}")

    inputs = {f: pydicom.dcmread(os.path.join(data, f)) for f in os.listdir(data) if f.endswith(".dcm")}
    ds_out = {}
    for path in outputs:
        try:
            ds_out[path] = pydicom.dcmread(path)
            for _ in ds_out[path].iterall():
                pass
        except Exception as e:  # noqa: BLE001
            check(False, f"pydicom reads {path}: {e}")

    # Every instance UID replaced: no input UID (outside the standard's) in any output.
    in_uids = set()
    for ds in inputs.values():
        found = []
        uids_of(ds, found)
        uids_of(ds.file_meta, found)
        in_uids |= {v for k, v in found if not v.startswith("1.2.840.10008.")}
    blobs = {p: open(p, "rb").read() for p in outputs}
    for u in in_uids:
        for p, b in blobs.items():
            check(u.encode() not in b, f"input UID {u} left in {os.path.basename(p)}")

    by_mod = {}
    for p, ds in ds_out.items():
        by_mod.setdefault(ds.Modality, []).append(ds)
        check(ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID, f"meta follows SOP UID in {p}")
        check(ds.SOPInstanceUID.startswith("2.25."), f"new SOP Instance UID in {p}")
        check(ds.PatientIdentityRemoved == "YES", "Patient Identity Removed YES")
        codes = [i.CodeValue for i in ds.DeidentificationMethodCodeSequence]
        check(codes == ["113100"], f"method codes {codes}")
    cts, rs, rp, rd = by_mod.get("CT", []), by_mod.get("RTSTRUCT", []), by_mod.get("RTPLAN", []), by_mod.get("RTDOSE", [])
    check(len(cts) == 8 and len(rs) == 1 and len(rp) == 1 and len(rd) == 1, "8 CT, RS, RP, RD")
    ct_sops = {d.SOPInstanceUID for d in cts}
    ct_series = {d.SeriesInstanceUID for d in cts}
    ct_for = {d.FrameOfReferenceUID for d in cts}
    check(len(ct_series) == 1 and len(ct_for) == 1, "one CT series and frame of reference")
    studies = {d.StudyInstanceUID for d in cts + rs + rp + rd}
    check(len(studies) == 1, f"one study across both batches: {studies}")
    patients = {(d.PatientID, str(d.PatientName)) for d in cts + rs + rp + rd}
    check(len(patients) == 1, f"one patient across both batches: {patients}")
    if rs:
        s = rs[0]
        contour_refs = set()
        for roi in s.ROIContourSequence:
            for c in roi.ContourSequence:
                for ci in c.ContourImageSequence:
                    contour_refs.add(ci.ReferencedSOPInstanceUID)
        check(contour_refs and contour_refs <= ct_sops, "RTSTRUCT contour images are output CTs")
        check(contour_refs == ct_sops, "every CT slice referenced")
        for fr in s.ReferencedFrameOfReferenceSequence:
            check(fr.FrameOfReferenceUID in ct_for, "RTSTRUCT referenced frame of reference")
            for st in fr.RTReferencedStudySequence:
                for se in st.RTReferencedSeriesSequence:
                    check(se.SeriesInstanceUID in ct_series, "RTReferencedSeries -> CT series")
                    for ci in se.ContourImageSequence:
                        check(ci.ReferencedSOPInstanceUID in ct_sops, "RTReferencedSeries contour image")
        for roi in s.StructureSetROISequence:
            check(roi.ReferencedFrameOfReferenceUID in ct_for, "ROI frame of reference")
    if rp and rs:
        refs = [r.ReferencedSOPInstanceUID for r in rp[0].ReferencedStructureSetSequence]
        check(refs == [rs[0].SOPInstanceUID], "RTPLAN -> RTSTRUCT")
    if rd and rp:
        refs = [r.ReferencedSOPInstanceUID for r in rd[0].ReferencedRTPlanSequence]
        check(refs == [rp[0].SOPInstanceUID], "RTDOSE -> RTPLAN")
        check(rd[0].FrameOfReferenceUID in ct_for, "RTDOSE frame of reference")

    # No identity value in any byte, in the forms it was given and the usual variants.
    phi = [l.strip() for l in open(os.path.join(data, "PHI.txt"), encoding="utf-8") if l.strip()]
    needles = set()
    for v in phi:
        needles.add(v)
        needles.update(x for x in re.split(r"[\^ ,]+", v) if len(x) >= 3)
        if re.fullmatch(r"\d{8}", v):
            needles.update({f"{v[:4]}-{v[4:6]}-{v[6:]}", f"{v[6:]}.{v[4:6]}.{v[:4]}", f"{v[:4]}.{v[4:6]}.{v[6:]}"})
    needles |= {n.upper() for n in needles if len(n) >= 4}
    needles |= {n.replace("^", " ") for n in needles}
    for p, b in blobs.items():
        for n in needles:
            check(n.encode() not in b, f"'{n}' found in {os.path.basename(p)}")

    # The mapping names the patient.
    mapping = open(os.path.join(work, "map.csv"), encoding="utf-8").read().splitlines()
    check(mapping[0] == "original_id,new_id,new_name,original_name", "map header")
    pid, pname = next(iter(patients))
    check(any(l.startswith(f"{phi[1]},{pid},") for l in mapping[1:]), f"map row for {phi[1]}: {mapping}")

    # A mapping CSV and a recipe: the patient gets the mapped identity, the recipe's rules apply;
    # a bad recipe is refused with its file and line.
    with open(os.path.join(work, "in.csv"), "w", encoding="utf-8") as fh:
        fh.write(f"original_id,new_id,new_name\n{phi[1]},SUBJ-01,\"Subject^One\"\n")
    with open(os.path.join(work, "r.toml"), "w", encoding="utf-8") as fh:
        fh.write('[options]\nretain_dates = "modified"\n[tags]\nSeriesDescription = { action = "D", value = "AXIAL" }\n')
    out3 = os.path.join(work, "out3")
    run(["anonymize", ct_in, "--out", out3, "--key", key, "--map-in", os.path.join(work, "in.csv"),
         "--recipe", os.path.join(work, "r.toml"), "--keep-names"])
    m = pydicom.dcmread(os.path.join(out3, "in_ct", "CT.01.dcm"))
    check(m.PatientID == "SUBJ-01" and str(m.PatientName) == "Subject^One", "mapped patient identity")
    check(m.SeriesDescription == "AXIAL", "recipe D value")
    orig = inputs["CT.01.dcm"]
    check(m.get("StudyDate", "") not in ("", orig.get("StudyDate", "")) and len(m.StudyDate) == 8,
          f"modified study date {m.get('StudyDate')}")
    check(m.LongitudinalTemporalInformationModified == "MODIFIED", "longitudinal MODIFIED")
    check([i.CodeValue for i in m.DeidentificationMethodCodeSequence] == ["113100", "113107"], "codes 113107")
    with open(os.path.join(work, "bad.toml"), "w", encoding="utf-8") as fh:
        fh.write("[tags]\n\nPatientName = \"Q\"\n")
    p = run(["anonymize", ct_in, "--out", os.path.join(work, "out4"), "--key", key, "--recipe",
             os.path.join(work, "bad.toml")], expect=2)
    check("bad.toml:3:" in p.stderr and "unknown action" in p.stderr, f"recipe error names file and line: {p.stderr}")

    # dciodvfy: no error on an output CT that the input has not.
    if shutil.which("dciodvfy") and cts:
        def errors(path):
            r = subprocess.run(["dciodvfy", path], capture_output=True, text=True)
            return {re.sub(r"<[^>]*>|\"[^\"]*\"|[0-9.]+", "", l) for l in (r.stdout + r.stderr).splitlines()
                    if l.startswith("Error")}
        ct_out = next(p for p, d in ds_out.items() if d.Modality == "CT")
        new = errors(ct_out) - errors(os.path.join(data, "CT.01.dcm"))
        check(not new, f"dciodvfy errors on the output CT only: {new}")
        for mod in ("RTSTRUCT", "RTPLAN", "RTDOSE"):
            o = next((p for p, d in ds_out.items() if d.Modality == mod), None)
            src = {"RTSTRUCT": "RS.Z3S1.dcm", "RTPLAN": "RP.Z3S1Vmat.dcm", "RTDOSE": "RD.Z3S1Vmat.dcm"}[mod]
            if o:
                new = errors(o) - errors(os.path.join(data, src))
                check(not new, f"dciodvfy errors on the output {mod} only: {new}")
    else:
        print("note: dciodvfy not installed; IOD check skipped")
finally:
    shutil.rmtree(work, ignore_errors=True)

if failures:
    print(f"{len(failures)} failure(s)")
    sys.exit(1)
print("anonymize rt_set: ok")
