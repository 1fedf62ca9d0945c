#!/usr/bin/python3
"""Compares the names dicomkit's dump gives private elements with pydicom's private dictionary.

    compare_private_names.py DICOMKIT DIR|FILE...

For each file (folders are searched for *.dcm; a folder's malformed/ is skipped), every top-level
private data element (gggg,xxee) whose block xx a creator (gggg,00xx) reserved (PS3.5 7.8.1) is
looked up in pydicom's private dictionary with that creator. Where pydicom names it (other than
"Unknown"), dump's keyword column must read "NAME (CREATOR)"; where pydicom has an entry of
"Unknown", dump must still name it from the dictionary (not "PrivateTag (CREATOR)"); an element
kept as UN in the file (explicit UN, or any private element of an implicit VR file) must be shown
with pydicom's VR for it. Elements pydicom does not know are counted, not judged.
The last line printed is "N passed, M failed" (one per file). Exit status: 0 all passed, 1
failures, 77 (ctest SKIP_RETURN_CODE) when pydicom or every input is missing.
"""

import os
import re
import subprocess
import sys

SKIP = 77
LINE = re.compile(r"^(?P<indent> *)\((?P<g>[0-9A-F]{4}),(?P<e>[0-9A-F]{4})\) (?P<vr>\S\S) .* # +(?P<len>u/l|\d*), "
                  r"(?P<vm>\d+) (?P<kw>.*)$")
SINGLE_VRS = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF", "OL",
              "OV", "OW", "PN", "SH", "SL", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UR", "US", "UT", "UV"}

try:
    import pydicom
    from pydicom.datadict import get_private_entry
except ImportError:
    print("pydicom is not installed")
    sys.exit(SKIP)


def files_of(args):
    for a in args:
        if os.path.isfile(a):
            yield a
        elif os.path.isdir(a):
            for root, dirs, names in os.walk(a):
                dirs[:] = sorted(d for d in dirs if d != "malformed")
                for n in sorted(names):
                    if n.endswith(".dcm") and os.path.getsize(os.path.join(root, n)) < 16 << 20:
                        yield os.path.join(root, n)


def our_lines(dk, path):
    out = subprocess.run([dk, "dump", "-q", "--stop-before-pixels", path], capture_output=True, timeout=60)
    if out.returncode != 0:
        return None
    lines = {}
    in_meta = False
    for raw in out.stdout.decode("utf-8", "replace").splitlines():
        if raw.startswith("# Dicom-Meta"):
            in_meta = True
        elif raw.startswith("# Dicom-Data-Set"):
            in_meta = False
        m = LINE.match(raw)
        if m and not in_meta and not m["indent"]:
            lines[(int(m["g"], 16), int(m["e"], 16))] = (m["vr"], m["kw"])
    return lines


def check_file(dk, path, totals):
    try:
        ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
        elements = list(ds)
    except Exception as e:  # pydicom cannot read it: nothing to compare with
        totals["unreadable"] += 1
        return []
    implicit = bool(getattr(ds, "is_implicit_VR", False))
    ours = None
    problems = []
    for elem in elements:
        tag = elem.tag
        if not tag.is_private or tag.element < 0x1000:
            continue
        creator_elem = ds.get((tag.group << 16) | (tag.element >> 8))
        if creator_elem is None or not isinstance(creator_elem.value, str):
            continue
        creator = creator_elem.value.strip(" \0")
        if not creator:
            continue
        try:
            vr, _vm, name, _retired = get_private_entry(tag, creator)
        except KeyError:
            totals["unknown to pydicom"] += 1
            continue
        if ours is None:
            ours = our_lines(dk, path)
            if ours is None:
                return [f"{path}: dicomkit dump failed"]
        mine = ours.get((tag.group, tag.element))
        where = f"{path} ({tag.group:04X},{tag.element:04X})"
        if mine is None:
            problems.append(f"{where}: not in dump")
            continue
        our_vr, kw = mine
        name = " ".join(name.split())
        totals["compared"] += 1
        if name != "Unknown":
            if kw != f"{name} ({creator})":
                problems.append(f"{where}: dump says {kw!r}, pydicom {name!r} ({creator})")
        elif kw.startswith("PrivateTag"):
            problems.append(f"{where}: dump has no name, pydicom has an entry (Unknown, {creator})")
        raw_vr = getattr(elem, "VR", None)
        was_un = implicit or raw_vr == "UN"
        vr = vr.split(" ")[0].replace("OB_OW", "OB")
        if was_un and vr in SINGLE_VRS and our_vr not in ("SQ",) and elem.value is not None:
            totals["typed"] += 1
            if our_vr != vr:
                problems.append(f"{where}: dump shows VR {our_vr}, pydicom's dictionary {vr}")
    return problems


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    dk = sys.argv[1]
    inputs = [a for a in sys.argv[2:] if os.path.exists(a)]
    if not inputs:
        print("no input exists")
        sys.exit(SKIP)
    totals = {"compared": 0, "typed": 0, "unknown to pydicom": 0, "unreadable": 0}
    passed = failed = 0
    for path in files_of(inputs):
        problems = check_file(dk, path, totals)
        if problems:
            failed += 1
            for p in problems[:10]:
                print("FAIL:", p)
        else:
            passed += 1
    print(f"private elements compared: {totals['compared']} (typed from UN: {totals['typed']}); "
          f"not in pydicom's dictionary: {totals['unknown to pydicom']}; files pydicom cannot read: "
          f"{totals['unreadable']}")
    if totals["compared"] == 0:
        print("no private element compared")
        failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
