"""Helpers of orthanc_interop.sh: what the sample files hold (read with pydicom), `dicomkit find`
against Orthanc checked against it, and Orthanc's REST API (loopback only).

  orthanc_check.py instances DATA_DIR            study, series, SOP UID, file (TSV) of every sample
  orthanc_check.py find DICOMKIT PORT AET AEC DATA_DIR
                                                 C-FIND at PATIENT/STUDY/SERIES/IMAGE level, with
                                                 matching keys; exits 1 naming each difference
  orthanc_check.py rest-sops URL [STUDY_UID]     SOP Instance UIDs Orthanc holds (of one study)
  orthanc_check.py rest-file URL SOP_UID OUT     downloads that instance's file
"""
import csv
import fnmatch
import io
import json
import os
import subprocess
import sys
import urllib.request

import pydicom


def samples(data_dir):
    """One dict per sample file that has a SOP Instance UID (damaged files left out), sorted by path."""
    out = []
    for root, _, files in os.walk(data_dir):
        if "/malformed" in root or root.endswith("malformed"):
            continue
        for name in files:
            if not name.endswith(".dcm"):
                continue
            path = os.path.join(root, name)
            ds = pydicom.dcmread(path, force=True, stop_before_pixels=True)
            sop = str(ds.get("SOPInstanceUID", ""))
            if not sop:
                continue
            out.append({
                "path": path,
                "sop": sop,
                "sop_class": str(ds.get("SOPClassUID", "")),
                "study": str(ds.get("StudyInstanceUID", "")),
                "series": str(ds.get("SeriesInstanceUID", "")),
                "patient_id": str(ds.get("PatientID", "")),
                "patient_name": str(ds.get("PatientName", "")),
                "study_date": str(ds.get("StudyDate", "")),
                "modality": str(ds.get("Modality", "")),
            })
    return sorted(out, key=lambda s: s["path"])


def unique_instances(items):
    """Several files may hold the same SOP Instance UID; an archive keeps one."""
    seen = {}
    for s in items:
        seen.setdefault(s["sop"], s)
    return list(seen.values())


def run_find(dk, port, aet, aec, level, keys, patient_root=False):
    cmd = [dk, "find", "127.0.0.1", str(port), "--aet", aet, "--aec", aec, "--level", level, "--format", "csv",
           "-P" if patient_root else "-S"]
    for k in keys:
        cmd += ["-k", k]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    return list(csv.DictReader(io.StringIO(p.stdout)))


class Checker:
    def __init__(self):
        self.failed = 0
        self.passed = 0

    def same(self, name, got, want):
        if got == want:
            self.passed += 1
            print(f"ok: {name}")
            return
        self.failed += 1
        print(f"FAIL: {name}")
        for x in sorted(set(got) - set(want), key=str)[:10]:
            print(f"    unexpected: {x}")
        for x in sorted(set(want) - set(got), key=str)[:10]:
            print(f"    missing:    {x}")
        if set(got) == set(want):
            print(f"    same entries, different multiplicity: got {len(got)} want {len(want)}")


def cmd_find(dk, port, aet, aec, data_dir):
    inst = unique_instances(samples(data_dir))
    c = Checker()
    studies = {}
    for s in inst:
        studies.setdefault(s["study"], []).append(s)
    patients = {}
    for st in studies.values():
        patients.setdefault(st[0]["patient_id"], []).append(st)

    # PATIENT level, Patient Root: every patient (an archive identifies patients by Patient ID, so
    # the files without one are one patient), with the number of studies; the name where the
    # patient's files agree on it.
    rows = run_find(dk, port, aet, aec, "PATIENT",
                    ["PatientID=", "PatientName=", "NumberOfPatientRelatedStudies="], patient_root=True)
    c.same("PATIENT level: Patient IDs and study counts",
           sorted((r["PatientID"], r["NumberOfPatientRelatedStudies"]) for r in rows),
           sorted((pid, str(len(sts))) for pid, sts in patients.items()))
    names = {pid: {st[0]["patient_name"] for st in sts} for pid, sts in patients.items()}
    c.same("PATIENT level: Patient names",
           sorted((r["PatientID"], r["PatientName"]) for r in rows if len(names.get(r["PatientID"], ())) == 1),
           sorted((pid, next(iter(n))) for pid, n in names.items() if len(n) == 1))
    pid = next(p for p in sorted(patients) if p)
    rows = run_find(dk, port, aet, aec, "PATIENT", [f"PatientID={pid}", "PatientName="], patient_root=True)
    c.same(f"PATIENT level: PatientID={pid}", [r["PatientID"] for r in rows], [pid])

    # STUDY level, Study Root: every study with its patient, date, instance count and modalities.
    keys = ["StudyInstanceUID=", "PatientID=", "PatientName=", "StudyDate=", "NumberOfStudyRelatedInstances=",
            "ModalitiesInStudy="]
    rows = run_find(dk, port, aet, aec, "STUDY", keys)

    def study_row(uid, st):
        return (uid, st[0]["patient_id"], st[0]["patient_name"], st[0]["study_date"], str(len(st)),
                "\\".join(sorted({s["modality"] for s in st if s["modality"]})))

    c.same("STUDY level: every study (UID, PatientID, PatientName, StudyDate, instances, modalities)",
           sorted((r["StudyInstanceUID"], r["PatientID"], r["PatientName"], r["StudyDate"],
                   r["NumberOfStudyRelatedInstances"], "\\".join(sorted(r["ModalitiesInStudy"].split("\\"))).strip("\\"))
                  for r in rows),
           sorted(study_row(uid, st) for uid, st in studies.items()))
    lo, hi = "20030101", "20171231"
    rows = run_find(dk, port, aet, aec, "STUDY", [f"StudyDate={lo}-{hi}", "StudyInstanceUID="])
    c.same(f"STUDY level: StudyDate={lo}-{hi}", sorted(r["StudyInstanceUID"] for r in rows),
           sorted(uid for uid, st in studies.items() if st[0]["study_date"] and lo <= st[0]["study_date"] <= hi))
    pattern = "Last*"
    rows = run_find(dk, port, aet, aec, "STUDY", [f"PatientName={pattern}", "StudyInstanceUID="])
    c.same(f"STUDY level: PatientName={pattern}", sorted(r["StudyInstanceUID"] for r in rows),
           sorted(uid for uid, st in studies.items() if fnmatch.fnmatchcase(st[0]["patient_name"], pattern)))

    # SERIES and IMAGE level, one query per study and per series.
    for uid, st in sorted(studies.items()):
        rows = run_find(dk, port, aet, aec, "SERIES",
                        [f"StudyInstanceUID={uid}", "SeriesInstanceUID=", "Modality=", "NumberOfSeriesRelatedInstances="])
        want = {}
        for s in st:
            want.setdefault((s["series"], s["modality"]), []).append(s)
        c.same(f"SERIES level: study {uid}",
               sorted((r["SeriesInstanceUID"], r["Modality"], r["NumberOfSeriesRelatedInstances"]) for r in rows),
               sorted((se, m, str(len(v))) for (se, m), v in want.items()))
        for (se, _), v in sorted(want.items()):
            rows = run_find(dk, port, aet, aec, "IMAGE",
                            [f"StudyInstanceUID={uid}", f"SeriesInstanceUID={se}", "SOPInstanceUID=", "SOPClassUID="])
            c.same(f"IMAGE level: series {se}", sorted((r["SOPInstanceUID"], r["SOPClassUID"]) for r in rows),
                   sorted((s["sop"], s["sop_class"]) for s in v))
    s = inst[0]
    rows = run_find(dk, port, aet, aec, "IMAGE",
                    [f"StudyInstanceUID={s['study']}", f"SeriesInstanceUID={s['series']}", f"SOPInstanceUID={s['sop']}"])
    c.same(f"IMAGE level: SOPInstanceUID={s['sop']}", [r["SOPInstanceUID"] for r in rows], [s["sop"]])
    print(f"find: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


# Straight to Orthanc on loopback, whatever proxy the environment names.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def rest(url, body=None):
    req = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")
    with _opener.open(req, timeout=30) as r:
        return r.read()


def cmd_rest_sops(base, study=None):
    if study:
        body = json.dumps({"Level": "Instance", "Query": {"StudyInstanceUID": study}, "Expand": True}).encode()
        found = json.loads(rest(base + "/tools/find", body))
    else:
        found = json.loads(rest(base + "/instances?expand"))
    for i in found:
        print(i["MainDicomTags"]["SOPInstanceUID"])
    return 0


def cmd_rest_file(base, sop, out):
    body = json.dumps({"Level": "Instance", "Query": {"SOPInstanceUID": sop}}).encode()
    ids = json.loads(rest(base + "/tools/find", body))
    if len(ids) != 1:
        print(f"{sop}: {len(ids)} instances in Orthanc", file=sys.stderr)
        return 1
    with open(out, "wb") as f:
        f.write(rest(f"{base}/instances/{ids[0]}/file"))
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "instances":
        for s in samples(argv[1]):
            print("\t".join((s["study"], s["series"], s["sop"], s["path"])))
        return 0
    if len(argv) == 6 and argv[0] == "find":
        return cmd_find(*argv[1:])
    if len(argv) in (2, 3) and argv[0] == "rest-sops":
        return cmd_rest_sops(*argv[1:])
    if len(argv) == 4 and argv[0] == "rest-file":
        return cmd_rest_file(*argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
