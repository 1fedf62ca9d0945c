#!/usr/bin/env python3
"""De-identification side by side: the same files through `dicomkit anonymize` (Basic Profile),
GDCM's `gdcmanon -e` (its PS3.15 E.1.1 implementation; a throw-away certificate made with openssl
receives the encrypted originals) and DCMTK's `dcmodify` with one -ea/-ma per row of PS3.15 Table
E.1-1, as a site would script it (-ep for private data, -gst/-gse/-gin for the three UIDs it can
generate; it cannot replace other UIDs consistently, nor handle (50xx,xxxx)-style rows).

For every element of every input (at any depth, private ones included) the script classifies what
each tool did (kept, emptied, changed, removed) and prints the rows where a peer differs from
dicomkit, with the element's clause in the table. It fails when
  - a peer removed, emptied or changed an element of the table or a private element that dicomkit
    kept unchanged (dicomkit must remove every identity value the others remove), or
  - a value of PHI.txt (the identity the set carries) is left in any byte of a dicomkit output.
The PHI values the peers leave are reported, not failed.

usage: deid_compare.py DICOMKIT INPUT_DIR [PROFILE_TABLE_CPP] [--report FILE]
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

try:
    import pydicom
    from pydicom.datadict import dictionary_VR
except ImportError:
    print("skip: no pydicom")
    sys.exit(77)

args = [a for a in sys.argv[1:]]
report_path = None
if "--report" in args:
    i = args.index("--report")
    report_path = args[i + 1]
    del args[i:i + 2]
dk, input_dir = args[0], args[1]
table_cpp = args[2] if len(args) > 2 else os.path.join(
    os.path.dirname(__file__), "..", "..", "src", "dicomkit", "deid", "generated", "profile_table.cpp")
for tool in ("gdcmanon", "dcmodify", "openssl"):
    if not shutil.which(tool):
        print(f"skip: {tool} not installed")
        sys.exit(77)

ROW = re.compile(r'\{0x([0-9A-F]{8})u, 0x([0-9A-F]{8})u, A::(\w+), \{[^}]*\}, "(.*)"\},')
CODES = {"None": "", "D": "D", "Z": "Z", "X": "X", "K": "K", "C": "C", "U": "U", "ZD": "Z/D", "XZ": "X/Z",
         "XD": "X/D", "XZD": "X/Z/D", "XZU": "X/Z/U*"}
table = []  # (value, mask, action, name)
for line in open(table_cpp, encoding="utf-8"):
    m = ROW.search(line)
    if m:
        table.append((int(m.group(1), 16), int(m.group(2), 16), CODES[m.group(3)], m.group(4)))
if len(table) < 500:
    sys.exit(f"{table_cpp}: only {len(table)} profile rows")


def clause(tag):
    for value, mask, action, name in table:
        if mask == 0xFFFFFFFF and value == tag:
            return action, name
    for value, mask, action, name in table:
        if mask != 0xFFFFFFFF and (tag & mask) == value:
            return action, name
    if (tag >> 16) % 2 == 1:
        return "X (private)", "private"
    return "", ""


def dummy(vr):
    return {"DA": "19000101", "TM": "000000", "DT": "19000101000000", "DS": "0", "IS": "0", "AS": "000Y",
            "UI": "", "US": "0", "SS": "0", "UL": "0", "SL": "0", "FL": "0", "FD": "0"}.get(vr, "ANONYMIZED")


def dcmodify_args():
    a = ["-nb", "-imt", "-ie", "-ep", "-gst", "-gse", "-gin"]
    for value, mask, action, _ in table:
        if mask != 0xFFFFFFFF or (value >> 16) in (0x0000, 0x0002, 0xFFFA, 0xFFFC):
            continue  # repeating groups and command/meta/signature rows: not reachable by dcmodify
        tag = f"({value >> 16:04X},{value & 0xFFFF:04X})"
        try:
            vr = dictionary_VR(value)
        except KeyError:
            continue
        if action.startswith("X"):
            a += ["-ea", tag]
        elif vr == "SQ":
            if action == "Z":
                a += ["-ea", tag]
        elif action == "Z":
            a += ["-ma", f"{tag}="]
        elif action in ("D", "Z/D") and vr != "UI":
            a += ["-ma", f"{tag}={dummy(vr)}"]
    return a


def flatten(ds, prefix=""):
    out = {}
    for el in ds:
        path = f"{prefix}({el.tag.group:04X},{el.tag.element:04X})"
        if el.VR == "SQ":
            out[path] = ("SQ", len(el.value))
            for i, item in enumerate(el.value):
                out.update(flatten(item, f"{path}[{i}]."))
        elif el.tag == 0x7FE00010 or el.VR in ("OB", "OW", "OF", "OD", "UN") and el.tag.group != 0x0029:
            out[path] = ("bin", bytes(el.value or b"")[:64] if el.value is not None else b"")
        else:
            out[path] = (el.VR, str(el.value) if el.value is not None else "")
    return out


def status(orig, after):
    if after is None:
        return "removed"
    if after == orig:
        return "kept"
    if after[1] in ("", 0, b""):
        return "emptied"
    return "changed"


work = tempfile.mkdtemp(prefix="dk_deid_cmp_")
failures = []
lines = []
try:
    src = os.path.join(work, "in")
    shutil.copytree(input_dir, src)
    for root, _, files in os.walk(src):
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    inputs = sorted(f for f in os.listdir(src) if f.endswith(".dcm"))
    # dicomkit (file names kept, so that outputs pair with inputs)
    out_dk = os.path.join(work, "dk")
    p = subprocess.run([dk, "anonymize", src, "--out", out_dk, "--key", "compare", "--keep-names"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stderr)
        sys.exit("dicomkit anonymize failed")
    dk_files = {f: os.path.join(out_dk, "in", f) for f in inputs}
    # gdcmanon -e with a throw-away certificate
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    os.path.join(work, "key.pem"), "-out", os.path.join(work, "cert.pem"), "-days", "1",
                    "-subj", "/CN=deid-compare"], capture_output=True, check=True)
    out_gd = os.path.join(work, "gdcm")
    os.makedirs(out_gd)
    p = subprocess.run(["gdcmanon", "-e", "-c", os.path.join(work, "cert.pem"), "--continue", "-r", "-i", src,
                        "-o", out_gd], capture_output=True, text=True)
    gd_files = {f: os.path.join(out_gd, f) for f in inputs}
    # dcmodify in place on a copy
    out_dm = os.path.join(work, "dcmodify")
    shutil.copytree(src, out_dm)
    dm_args = dcmodify_args()
    p = subprocess.run(["dcmodify"] + dm_args + [os.path.join(out_dm, f) for f in inputs],
                       capture_output=True, text=True)
    dm_files = {f: os.path.join(out_dm, f) for f in inputs}
    lines.append(f"dcmodify: {len(dm_args)} arguments from {len(table)} profile rows")

    phi_path = os.path.join(input_dir, "PHI.txt")
    phi = [l.strip() for l in open(phi_path, encoding="utf-8") if l.strip()] if os.path.exists(phi_path) else []
    tools = {"dicomkit": dk_files, "gdcmanon": gd_files, "dcmodify": dm_files}
    leftover = {t: set() for t in tools}
    diff_rows = 0
    grouped, grouped_n = {}, {}
    for f in inputs:
        orig = flatten(pydicom.dcmread(os.path.join(src, f)))
        after = {}
        for t, files in tools.items():
            path = files[f]
            if not os.path.exists(path):
                failures.append(f"{t}: no output for {f}")
                after[t] = {}
                continue
            after[t] = flatten(pydicom.dcmread(path))
            blob = open(path, "rb").read()
            for v in phi:
                if v.encode() in blob:
                    leftover[t].add(v)
        for path, value in orig.items():
            if value[0] != "SQ" and value[1] in ("", b""):
                continue
            tag = int(path[-10:-6] + path[-5:-1], 16)
            st = {t: status(value, after[t].get(path)) for t in tools}
            action, name = clause(tag)
            if st["gdcmanon"] != st["dicomkit"] or st["dcmodify"] != st["dicomkit"]:
                diff_rows += 1
                kw = pydicom.datadict.keyword_for_tag(tag) or name or "private"
                key = (re.sub(r"\[\d+\]", "", path), action, st["dicomkit"], st["gdcmanon"], st["dcmodify"], kw)
                grouped.setdefault(key, set()).add(f)
                grouped_n[key] = grouped_n.get(key, 0) + 1
            if st["dicomkit"] == "kept" and action and value[0] != "SQ":
                for peer in ("gdcmanon", "dcmodify"):
                    if st[peer] != "kept":
                        failures.append(f"{f} {path}: {peer} {st[peer]} it (clause {action}), dicomkit kept it")
    lines.append(f"{'element (any item)':<44} {'clause':<12} {'dicomkit':<8} {'gdcmanon':<8} {'dcmodify':<8} "
                 f"{'n':>4} {'files':>5} keyword")
    for key in sorted(grouped):
        path, action, a, b, c, kw = key
        lines.append(f"{path[-44:]:<44} {action:<12} {a:<8} {b:<8} {c:<8} {grouped_n[key]:>4} {len(grouped[key]):>5} {kw}")
    lines.append(f"{diff_rows} element(s) handled differently by a peer")
    for t, vals in leftover.items():
        lines.append(f"PHI.txt values left in {t} outputs: {sorted(vals) if vals else 'none'}")
    if leftover["dicomkit"]:
        failures.append(f"dicomkit left {sorted(leftover['dicomkit'])}")
finally:
    shutil.rmtree(work, ignore_errors=True)

text = "\n".join(lines)
print(text)
if report_path:
    with open(report_path, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
