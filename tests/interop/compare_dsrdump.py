#!/usr/bin/python3
"""Compares `dicomkit dump --sr` with DCMTK's dsrdump on every SR document under the folders given.

usage: compare_dsrdump.py DICOMKIT DIR...

An SR document is a file whose SOP Class UID is 1.2.840.10008.5.1.4.1.1.88.* (read with pydicom).
For each, `dsrdump -Ph +Pn +Pl +Pc +Pu +Psu +U8` (positions, long values, all codes, referenced
SOP classes and instances as UIDs, UTF-8) and `dicomkit dump --sr --sr-uids` print a line per
content item; the lines must be the same: the count of content items, and for each its position,
relationship, value type, concept name code and value.

When dsrdump refuses a document (it checks the IOD's relationship constraints and the values of
referenced SOP classes), it is run again with -Ee -Ev -Ec -Er (go on past item errors, invalid
values, constraints, unknown relationships); when it prints the tree then, the two are compared as
above, else dicomkit's tree is only checked to be there. `dump --sr --format json` must be JSON
with as many items as the text has lines. Exit 0 when all agree, 1 when any differs, 77 (skip)
when dsrdump, pydicom or every folder is absent.
"""
import json
import os
import re
import shutil
import subprocess
import sys

LINE = re.compile(r"^(\d+(?:\.\d+)*)  (.*)$")
SR_ROOT = "1.2.840.10008.5.1.4.1.1.88."


def tree_lines(text):
    """The content item lines of a dump: (position, rest), without dicomkit's '!' problem lines."""
    out = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m and m.group(2).startswith("<"):
            out.append((m.group(1), m.group(2)))
    return out


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def count_items(node):
    return 1 + sum(count_items(c) for c in node.get("children", []))


def sr_files(dirs, dcmread):
    for d in dirs:
        for root, _, files in os.walk(d):
            for name in sorted(files):
                path = os.path.join(root, name)
                try:
                    ds = dcmread(path, stop_before_pixels=True, specific_tags=["SOPClassUID"])
                    uid = str(ds.get("SOPClassUID", ""))
                except Exception:
                    continue
                if uid.startswith(SR_ROOT):
                    yield path


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    dicomkit, dirs = sys.argv[1], [d for d in sys.argv[2:] if os.path.isdir(d)]
    if not shutil.which("dsrdump"):
        print("SKIP: dsrdump (DCMTK) is not installed")
        return 77
    try:
        from pydicom import dcmread
    except ImportError:
        print("SKIP: pydicom is not installed")
        return 77
    if not dirs:
        print("SKIP: none of the folders exists: " + " ".join(sys.argv[2:]))
        return 77
    failures, compared, refused = 0, 0, 0
    seen = set()
    for path in sr_files(dirs, dcmread):
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        rc, ours_text, err = run([dicomkit, "dump", "--sr", "--sr-uids", "-q", path])
        if rc != 0:
            print(f"FAIL {path}: dicomkit dump --sr exit {rc}: {err.strip()}")
            failures += 1
            continue
        ours = tree_lines(ours_text)
        problems = sum(1 for line in ours_text.splitlines() if re.match(r"^\d+(\.\d+)*  ! ", line))
        jrc, jtext, jerr = run([dicomkit, "dump", "--sr", "--format", "json", "-q", path])
        try:
            doc = json.loads(jtext)
            if jrc != 0 or count_items(doc["content"]) != len(ours) or doc["itemCount"] != len(ours):
                raise ValueError(f"exit {jrc}, {count_items(doc['content'])} items, text has {len(ours)}")
        except (ValueError, KeyError) as e:
            print(f"FAIL {path}: --format json: {e} {jerr.strip()}")
            failures += 1
            continue
        base = ["dsrdump", "-q", "-Ph", "+Pn", "+Pl", "+Pc", "+Pu", "+Psu", "+U8"]
        drc, dtext, _ = run(base + [path])
        how = "dsrdump"
        if drc != 0:
            refused += 1
            drc, dtext, _ = run(base + ["-Ee", "-Ev", "-Ec", "-Er", path])
            how = "dsrdump -Ee -Ev -Ec -Er"
            if drc != 0:
                print(f"ok   {path}: dsrdump refuses it even with -Ee -Ev -Ec -Er; dicomkit prints "
                      f"{len(ours)} items, {problems} problem(s) marked")
                continue
            print(f"note {path}: dsrdump refuses it; compared with {how}")
        theirs = tree_lines(dtext)
        compared += 1
        diffs = []
        for i in range(max(len(ours), len(theirs))):
            a = ours[i] if i < len(ours) else None
            b = theirs[i] if i < len(theirs) else None
            if a != b:
                diffs.append(f"    dicomkit: {a}\n    {how}: {b}")
        if diffs:
            failures += 1
            print(f"FAIL {path}: {len(diffs)} of {max(len(ours), len(theirs))} items differ")
            for d in diffs[:10]:
                print(d)
        else:
            print(f"ok   {path}: {len(ours)} items agree ({problems} problem(s) marked by dicomkit)")
    print(f"{len(seen)} SR documents, {compared} compared with dsrdump, {refused} refused by dsrdump, "
          f"{failures} failed")
    if not seen:
        print("SKIP: no SR document in " + " ".join(dirs))
        return 77
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
