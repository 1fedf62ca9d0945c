#!/usr/bin/python3
"""Compares how dicomkit and DCMTK's dcmdump read DICOM files, and checks what dicomkit writes.

    compare_dcmdump.py --dk-canon BIN [--differences TSV] [--checks read,write,malformed] DIR|FILE...

read:      dcmdump and dk_canon must give the same elements (tag path, VR, VM, value).
write:     each readable file is rewritten by dicomkit (own syntax when uncompressed, Explicit VR LE,
           Implicit VR LE, Explicit VR BE); dcmdump and pydicom must read the rewrite with the values
           of the original; a well-formed Explicit VR LE file must come back byte-identical; dciodvfy
           must report no error in the rewrite that it did not report in the original.
malformed: files under a malformed/ folder are read in lenient and strict mode: no crash, and every
           error names an offset.

Differences listed in the TSV file (file glob, tag path glob, field, reason) are accepted.
The last line printed is "N passed, M failed". Exit status: 0 all passed, 1 failures,
77 (ctest SKIP_RETURN_CODE) when none of the inputs exists.
"""

import argparse
import concurrent.futures
import fnmatch
import math
import os
import re
import struct
import subprocess
import sys
import tempfile

SKIP = 77
HAVE_DCIODVFY = True
HAVE_PYDICOM = True
STRING_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"}
BULK_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
FLOAT_VRS = {"FL", "FD", "OF", "OD"}
# DCMTK's internal VR names: "up" is a UL offset in a DICOMDIR, "??" an element of unknown VR (UN),
# "xs" a "US or SS" element left unresolved.
DCMTK_VRS = {"up": "UL", "??": "UN"}
INT_FORMATS = {"US": "<H", "SS": "<h", "UL": "<I", "SL": "<i", "UV": "<Q", "SV": "<q"}
UNCOMPRESSED = {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2"}
REWRITE_SYNTAXES = [("explicit", "1.2.840.10008.1.2.1"), ("implicit", "1.2.840.10008.1.2"),
                    ("big", "1.2.840.10008.1.2.2")]


def dcmtk_env():
    """dcmdump with the public dictionary only: dicomkit has no private dictionary, and PS3.5 7.8
    gives no VR to private elements in implicit VR (both then say UN)."""
    env = dict(os.environ)
    for d in ("/usr/share/libdcmtk17", "/usr/share/libdcmtk16", "/usr/share/libdcmtk15", "/usr/share/dcmtk"):
        if os.path.exists(os.path.join(d, "dicom.dic")):
            env["DCMDICTPATH"] = os.path.join(d, "dicom.dic")
            break
    return env


DCMTK_ENV = dcmtk_env()
# -Un: UID numbers, not names; +Qn: non-ASCII and control bytes as &#N; (lossless, unambiguous);
# +L: long values in full; +uc: explicit UN of a known public tag read with the dictionary's VR
# (as dicomkit's ReadOptions::resolve_un does); -q: no log lines in the dump.
DCMDUMP = ["dcmdump", "-q", "+L", "-Un", "+Qn", "+uc"]


# ---------------------------------------------------------------------------------------------
# Canonical form. A row is (path, vr, vm, value, raw) with raw the value's little-endian bytes
# (padding trimmed for strings) or None.

def fnv1a(chunks):
    h = 0xCBF29CE484222325
    for b in chunks:
        for c in b:
            h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def escape_bytes(b):
    return "".join(chr(c) if 0x20 <= c < 0x7F else "\\x%02X" % c for c in b)


def trim_padding(b):
    return b.rstrip(b" \x00")


def bulk_text(raw):
    return "len=%d fnv=%016x" % (len(raw), fnv1a([raw]))


ENTITY = re.compile(r"&(#\d+|amp|lt|gt|quot|apos);")
ENTITIES = {"amp": b"&", "lt": b"<", "gt": b">", "quot": b'"', "apos": b"'"}


def unquote(s):
    out = bytearray()
    pos = 0
    for m in ENTITY.finditer(s):
        out += s[pos:m.start()].encode("latin-1")
        name = m.group(1)
        out += bytes([int(name[1:]) & 0xFF]) if name.startswith("#") else ENTITIES[name]
        pos = m.end()
    out += s[pos:].encode("latin-1")
    return bytes(out)


LINE = re.compile(r"^( *)\(([0-9a-f]{4}),([0-9a-f]{4})\) (\S\S) (.*?)\s*#\s*(\d+|u/l),\s*(\d+) [^#]*$")


def dcmdump_value(vr, text):
    """(value, raw) for one dcmdump value field."""
    if text.startswith("(no value available)"):
        text = ""
    if vr in STRING_VRS:
        if text.startswith("["):
            text = text[1:text.rindex("]")]
        raw = trim_padding(unquote(text))
        return escape_bytes(raw), raw
    parts = text.split("\\") if text else []
    if vr in INT_FORMATS or vr == "xs":
        vals = [int(p) for p in parts]
        fmt = INT_FORMATS.get(vr) or ("<h" if any(v < 0 for v in vals) else "<H")
        return "\\".join(str(v) for v in vals), b"".join(struct.pack(fmt, v) for v in vals)
    if vr in FLOAT_VRS:
        vals = [float(p) for p in parts]
        fmt = "<f" if vr in ("FL", "OF") else "<d"
        return vals, b"".join(struct.pack(fmt, v) for v in vals)
    if vr == "AT":
        tags = [p.strip("()").upper().split(",") for p in parts]
        raw = b"".join(struct.pack("<HH", int(g, 16), int(e, 16)) for g, e in tags)
        return "\\".join("(%s,%s)" % (g, e) for g, e in tags), raw
    if vr in BULK_VRS or vr in ("ox", "lt"):  # DCMTK: ox = OB or OW, lt = LUT data (US, SS or OW)
        width = len(parts[0]) // 2 if parts else 1
        raw = b"".join(int(p, 16).to_bytes(width, "little") for p in parts)
        return bulk_text(raw), raw
    return text, None


def parse_dcmdump(text):
    """Rows of a dcmdump listing (options DCMDUMP): meta group first, then the data set."""
    rows = []
    stack = []  # entries: ["seq", path, row_index, items] / ["item", prefix] / ["pix", path, frags]

    def close(entry):
        if entry[0] == "seq":
            rows[entry[2]] = (entry[1], "SQ", str(entry[3]), "items=%d" % entry[3], None)
        elif entry[0] == "pix":
            frags = entry[3]
            bot = frags[0] if frags else b""
            rest = frags[1:]
            rows[entry[2]] = (entry[1], entry[4], "1", "bot=%d frags=%d sizes=%s fnv=%016x" % (
                len(bot), len(rest), ",".join(str(len(f)) for f in rest), fnv1a(rest)), None)

    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        indent, group, elem, vr, value, _length, vm = m.groups()
        vr = DCMTK_VRS.get(vr, vr)
        depth = len(indent) // 2
        while len(stack) > depth:
            close(stack.pop())
        tag = "(%s,%s)" % (group.upper(), elem.upper())
        if group == "fffe":
            if elem == "e000" and stack and stack[-1][0] == "seq":
                seq = stack[-1]
                stack.append(["item", "%s[%d]." % (seq[1], seq[3])])
                seq[3] += 1
            elif elem == "e000" and stack and stack[-1][0] == "pix":
                stack[-1][3].append(dcmdump_value("OB", value)[1])
            continue
        prefix = stack[-1][1] if stack and stack[-1][0] == "item" else ""
        path = prefix + tag
        if value.startswith("(Sequence with"):
            rows.append(None)
            stack.append(["seq", path, len(rows) - 1, 0])
        elif value.startswith("(PixelSequence"):
            rows.append(None)
            stack.append(["pix", path, len(rows) - 1, [], vr])
        else:
            v, raw = dcmdump_value(vr, value)
            rows.append((path, vr, vm, v, raw))
    while stack:
        close(stack.pop())
    return rows


def parse_dk_canon(text):
    rows = []
    for line in text.splitlines():
        path, vr, vm, value = line.split("\t", 3)
        raw = None
        if vr in FLOAT_VRS:
            value = [float(v) for v in value.split("\\")] if value else []
        if vr in STRING_VRS:
            raw = re.sub(r"\\x([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), value).encode("latin-1")
        rows.append((path, vr, vm, value, raw))
    return rows


def values_equal(vr, a, b):
    if vr in FLOAT_VRS and isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        tol = 1e-6 if vr in ("FL", "OF") else 1e-12
        return all(x == y or (math.isnan(x) and math.isnan(y)) or math.isclose(x, y, rel_tol=tol, abs_tol=1e-30)
                   for x, y in zip(a, b))
    return a == b


def fmt_row(r):
    path, vr, vm, value, _ = r
    if isinstance(value, list):
        value = "\\".join(repr(v) for v in value)
    return "%s %s vm=%s %s" % (path, vr, vm, str(value)[:160])


def compare_rows(left, right, names=("dcmdump", "dicomkit")):
    """Differences between two row lists as (path, field, text)."""
    a = {r[0]: r for r in left}
    b = {r[0]: r for r in right}
    out = []
    for path in sorted(set(a) | set(b)):
        ra, rb = a.get(path), b.get(path)
        if ra is None:
            out.append((path, "missing_" + names[0], "only %s: %s" % (names[1], fmt_row(rb))))
        elif rb is None:
            out.append((path, "missing_" + names[1], "only %s: %s" % (names[0], fmt_row(ra))))
        elif ra[1] != rb[1]:
            out.append((path, "vr", "%s: %s | %s: %s" % (names[0], fmt_row(ra), names[1], fmt_row(rb))))
        elif not values_equal(ra[1], ra[3], rb[3]):
            out.append((path, "value", "%s: %s | %s: %s" % (names[0], fmt_row(ra), names[1], fmt_row(rb))))
        elif ra[2] != rb[2]:
            out.append((path, "vm", "%s: %s | %s: %s" % (names[0], fmt_row(ra), names[1], fmt_row(rb))))
    return out


# ---------------------------------------------------------------------------------------------
# Accepted differences

class Accepted:
    def __init__(self, path):
        self.entries = []
        self.used = set()
        if path and os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    if not line.strip() or line.startswith("#"):
                        continue
                    cols = line.rstrip("\n").split("\t")
                    if len(cols) < 4 or not cols[3].strip():
                        raise SystemExit("%s:%d: need file, tag path, field and a reason" % (path, n))
                    self.entries.append((n, cols[0], cols[1], cols[2]))

    def match(self, rel, path, field):
        for n, fglob, pglob, field_glob in self.entries:
            # a tag path matches exactly or as a glob (item indexes "[0]" read as a glob class)
            if (fnmatch.fnmatchcase(rel, fglob) or fnmatch.fnmatchcase(rel, "*/" + fglob)) and (path == pglob or fnmatch.fnmatchcase(path, pglob)) and \
                    fnmatch.fnmatchcase(field, field_glob):
                self.used.add(n)
                return True
        return False


# ---------------------------------------------------------------------------------------------
# Tools

def run(cmd, timeout=120):
    p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=DCMTK_ENV)
    return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1")


def dcmdump_rows(path):
    rc, out, err = run(DCMDUMP + [path])
    return rc, parse_dcmdump(out), err


def crashed(rc):
    return rc < 0 or rc >= 128


def dk_rows(dk, path, *extra):
    rc, out, err = run([dk, *extra, path])
    return rc, (parse_dk_canon(out) if rc == 0 else []), err


def dciodvfy_errors(path):
    rc, out, err = run(["dciodvfy", "-new", path])
    text = out + err
    if crashed(rc) or "Assertion" in text or "Dicom dataset read failed" in text:
        return None  # dciodvfy cannot read it (e.g. deflate): nothing to compare with
    errors = set()
    for line in text.splitlines():
        if line.startswith("Error - "):
            errors.add(line.strip())
    return errors


def pydicom_rows(path):
    """Rows as pydicom reads the file; raw holds the value bytes (little endian) when known."""
    import warnings
    import pydicom
    from pydicom.dataelem import RawDataElement
    from pydicom.multival import MultiValue
    from pydicom.sequence import Sequence

    warnings.simplefilter("ignore")
    ds = pydicom.dcmread(path, force=True)
    swap = {"OW": 2, "OF": 4, "OL": 4, "OD": 8, "OV": 8, "US": 2, "SS": 2, "UL": 4, "SL": 4, "FL": 4,
            "FD": 8, "AT": 2, "UV": 8, "SV": 8}
    rows = []

    def to_le(vr, b, little):
        w = swap.get(vr)
        if little or not w:
            return b
        return b"".join(b[i:i + w][::-1] for i in range(0, len(b) - len(b) % w, w)) + b[len(b) - len(b) % w:]

    def norm(value):
        if isinstance(value, (bytes, bytearray)):
            return bulk_text(bytes(value))
        if isinstance(value, (MultiValue, list, tuple)):
            return tuple(norm(v) for v in value)
        if isinstance(value, float):
            return float("%.9g" % value)
        return str(value).rstrip(" \x00") if isinstance(value, str) else str(value)

    def walk(d, prefix, little):
        for tag in list(d.keys()):
            path = prefix + "(%04X,%04X)" % (tag.group, tag.element)
            if tag.element == 0 or tag.group == 2:
                continue  # group lengths are recomputed; the meta group is rewritten
            raw_elem = d.get_item(tag)
            raw = None
            if isinstance(raw_elem, RawDataElement):
                raw = bytes(raw_elem.value or b"")
            elif raw_elem is not None and raw_elem.value in (None, "", b""):
                raw = b""
            try:
                elem = d[tag]
                vr = str(elem.VR).replace("VR.", "")
            except Exception as e:  # pydicom could not convert the element
                rows.append((path, "?", "?", "<%s>" % type(e).__name__, raw))
                continue
            if vr == "SQ" and isinstance(elem.value, Sequence):
                rows.append((path, "SQ", str(len(elem.value)), "items=%d" % len(elem.value), None))
                for i, item in enumerate(elem.value):
                    walk(item, "%s[%d]." % (path, i), little)
                continue
            value = elem.value
            if isinstance(value, (bytes, bytearray)):
                value = to_le(vr, bytes(value), little)
            if raw is not None:
                raw = trim_padding(to_le(vr, raw, little))
            rows.append((path, vr, str(elem.VM), norm(value), raw))

    walk(ds, "", ds.is_little_endian is not False)
    return rows


# ---------------------------------------------------------------------------------------------
# Checks

def rel_name(path, roots):
    for r in roots:
        if os.path.isdir(r) and os.path.commonpath([os.path.abspath(r), os.path.abspath(path)]) == os.path.abspath(r):
            return os.path.relpath(path, r)
    return os.path.basename(path)


def filtered(diffs, accepted, rel, kind):
    """Drops accepted differences; `kind` is prefixed to the field ("" for read, "write:" ...)."""
    return [d for d in diffs if not accepted.match(rel, d[0], kind + d[1])]


def check_read(dk, path, rel, accepted):
    if accepted.match(rel, "*", "dcmdump_fails"):
        rc, _, err = dk_rows(dk, path)
        if crashed(rc):
            return ["dk_canon crashed (rc=%d)" % rc]
        return []
    rc_d, drows, derr = dcmdump_rows(path)
    rc_k, krows, kerr = dk_rows(dk, path)
    if crashed(rc_k):
        return ["dk_canon crashed (rc=%d): %s" % (rc_k, kerr.strip()[-300:])]
    if rc_d != 0:
        if rc_k != 0:
            return []  # both refuse it
        return ["dcmdump fails (rc=%d: %s) but dicomkit reads it" % (rc_d, derr.strip()[-200:])]
    if rc_k != 0:
        return ["dicomkit fails: " + kerr.strip()[-300:]]
    diffs = filtered(compare_rows(drows, krows), accepted, rel, "")
    return ["%s %s: %s" % (p, f, t) for p, f, t in diffs]


def strip_for_rewrite(rows):
    """The rows a rewrite must keep: no meta group, no group lengths (recomputed)."""
    out = []
    for r in rows:
        last = r[0].rsplit(".", 1)[-1]
        if r[0].startswith("(0002,") or last.endswith(",0000)"):
            continue
        out.append(r)
    return out


def vr_free_equal(a, b, implicit):
    """Elements whose VR may change in a rewrite with equal bytes: an implicit VR rewrite loses the
    VR of elements no dictionary knows (UN), gives Pixel Data OW (PS3.5 A.1), and DCMTK leaves
    "US or SS" unresolved in implicit VR (xs)."""
    vrs = {a[1], b[1]}
    ra, rb = a[4], b[4]
    if implicit and ra is not None and rb is not None and trim_padding(ra) == trim_padding(rb):
        return True  # implicit VR carries no VR: the reader's dictionary gives it, the bytes must agree
    if "xs" in vrs and vrs <= {"xs", "US", "SS"}:
        return ra is not None and ra == rb
    if not ("UN" in vrs or (implicit and vrs == {"OB", "OW"})):
        return False
    for x, y in ((a, b), (b, a)):
        # dcmdump prints floats rounded (and -0 as 0): compare the UN side's bytes as numbers
        if x[1] in FLOAT_VRS and y[1] == "UN" and y[4] is not None and isinstance(x[3], list):
            fmt = "<f" if x[1] in ("FL", "OF") else "<d"
            size = struct.calcsize(fmt)
            if len(y[4]) % size:
                return False
            vals = [struct.unpack_from(fmt, y[4], i)[0] for i in range(0, len(y[4]), size)]
            return values_equal(x[1], x[3], vals)
    if ra is None or rb is None:
        return vrs == {"OB", "OW"} and a[3] == b[3]
    return trim_padding(ra) == trim_padding(rb)


def rewrite_diffs(orig, new, implicit):
    a = {r[0]: r for r in orig}
    b = {r[0]: r for r in new}
    return [d for d in compare_rows(orig, new, ("original", "rewrite"))
            if not (d[1] in ("vr", "value", "vm") and vr_free_equal(a[d[0]], b[d[0]], implicit))]


def meta_consistent(rows):
    """PS3.10 7.1: Media Storage SOP Class/Instance UID equal SOP Class/Instance UID. The writer
    takes them from the data set, so a file where they differ cannot come back byte-identical."""
    v = {r[0]: r[3] for r in rows}
    return v.get("(0002,0002)") == v.get("(0008,0016)") and v.get("(0002,0003)") == v.get("(0008,0018)")


def check_write(dk, path, rel, accepted, tmpdir):
    failures = []
    rc, krows, kerr = dk_rows(dk, path)
    if rc != 0:
        return []  # unreadable files are the read check's business
    warnings = [l for l in kerr.splitlines() if l.startswith("warning:")]
    ts = next((r[3] for r in krows if r[0] == "(0002,0010)"), "")
    targets = list(REWRITE_SYNTAXES)
    if any(r[0] == "(0004,1200)" for r in krows):
        # A DICOMDIR's records point at byte offsets; the writer keeps them, so only a rewrite in
        # the file's own syntax (same offsets) is meaningful until offsets are recomputed.
        targets = []
    if ts in UNCOMPRESSED or not ts:
        targets.insert(0, ("own", None))
    elif ts == "1.2.840.10008.1.2.1.99":
        targets.insert(0, ("own", None))
    rc_o, orig_dump, _ = dcmdump_rows(path)
    orig_dump = strip_for_rewrite(orig_dump) if rc_o == 0 else None
    orig_py = None
    if HAVE_PYDICOM:
        try:
            orig_py = pydicom_rows(path)
        except Exception:  # pydicom cannot read the original: nothing to compare with
            orig_py = None
    orig_errors = dciodvfy_errors(path) if HAVE_DCIODVFY else None
    for name, uid in targets:
        out = os.path.join(tmpdir, "%s.%s.dcm" % (os.path.basename(path), name))
        cmd = [dk, "--rewrite", path, out] + (["--ts", uid] if uid else [])
        rc, _, err = run(cmd)
        if rc != 0:
            if accepted.match(rel, "*", "write:%s:refused" % name):
                continue
            if "encapsulated pixel data cannot be written" in err and name != "own":
                continue  # needs a codec: a documented limit of the writer, not a read difference
            failures.append("rewrite %s failed: %s" % (name, err.strip()[-300:]))
            continue
        if orig_dump is not None:
            rc_r, new_dump, err_r = dcmdump_rows(out)
            if rc_r != 0:
                failures.append("dcmdump cannot read the %s rewrite: %s" % (name, err_r.strip()[-200:]))
            else:
                new_dump = strip_for_rewrite(new_dump)
                diffs = rewrite_diffs(orig_dump, new_dump, name == "implicit")
                for p, f, t in filtered(diffs, accepted, rel, "write:%s:dcmdump:" % name):
                    failures.append("rewrite %s, dcmdump: %s %s: %s" % (name, p, f, t))
        if orig_py is not None:
            try:
                new_py = pydicom_rows(out)
                diffs = rewrite_diffs(orig_py, new_py, name == "implicit")
                for p, f, t in filtered(diffs, accepted, rel, "write:%s:pydicom:" % name):
                    failures.append("rewrite %s, pydicom: %s %s: %s" % (name, p, f, t))
            except Exception as e:
                if not accepted.match(rel, "*", "write:%s:pydicom_read" % name):
                    failures.append("pydicom cannot read the %s rewrite: %s: %s" % (name, type(e).__name__, e))
        if name == "own" and ts == "1.2.840.10008.1.2.1" and not warnings and meta_consistent(krows):
            with open(path, "rb") as f1, open(out, "rb") as f2:
                a, b2 = f1.read(), f2.read()
            if a != b2 and not accepted.match(rel, "*", "write:own:bytes"):
                at = next((i for i in range(min(len(a), len(b2))) if a[i] != b2[i]), min(len(a), len(b2)))
                failures.append("rewrite own: not byte-identical (sizes %d/%d, first difference at %d)" %
                                (len(a), len(b2), at))
        if orig_errors is not None:
            new_errors = dciodvfy_errors(out)
            if new_errors is None and accepted.match(rel, "*", "write:%s:dciodvfy_read" % name):
                pass
            elif new_errors is None:
                failures.append("dciodvfy fails on the %s rewrite but not on the original" % name)
            else:
                for e in sorted(new_errors - orig_errors):
                    if not accepted.match(rel, e, "write:%s:dciodvfy" % name):
                        failures.append("rewrite %s, dciodvfy: new %s" % (name, e))
        os.unlink(out)
    return failures


def check_malformed(dk, path, rel, accepted):
    """Lenient: reads, every warning names file and offset. Strict: refuses exactly when the
    lenient read warned, with an error naming file and offset. Neither crashes."""
    results = {}
    failures = []
    for label, mode in (("lenient", []), ("strict", ["--strict"])):
        rc, _, err = run([dk, *mode, path])
        results[label] = (rc, err)
        if crashed(rc):
            failures.append("%s read crashed (rc=%d)" % (label, rc))
            continue
        for line in err.splitlines():
            if line.startswith(("error:", "warning:")) and ("offset " not in line or path not in line):
                failures.append("%s read: message without file and offset: %s" % (label, line))
    if failures:
        return failures
    (rc_l, err_l), (rc_s, err_s) = results["lenient"], results["strict"]
    warned = any(l.startswith("warning:") for l in err_l.splitlines())
    if rc_l != 0 and not accepted.match(rel, "*", "lenient_fails"):
        failures.append("lenient read fails: %s" % err_l.strip())
    if warned and rc_s == 0:
        failures.append("strict read accepted what the lenient read warned about")
    if not warned and rc_s != 0:
        failures.append("strict read fails without a lenient warning: %s" % err_s.strip())
    return failures


def collect(inputs):
    files = []
    for p in inputs:
        if os.path.isfile(p):
            files.append(p)
        elif os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for n in sorted(names):
                    if n.endswith((".md", ".txt", ".tsv")):
                        continue
                    files.append(os.path.join(root, n))
    return files


def check_file(args, path, accepted):
    rel = os.path.abspath(path)  # matched against the TSV's file globs by their tail
    failures = []
    checks = args.checks.split(",")
    malformed = os.sep + "malformed" + os.sep in rel
    shown = rel_name(path, args.inputs)
    if "read" in checks:
        failures += check_read(args.dk_canon, path, rel, accepted)
    if "malformed" in checks and malformed:
        failures += check_malformed(args.dk_canon, path, rel, accepted)
    if "write" in checks and not malformed:
        with tempfile.TemporaryDirectory() as tmp:
            failures += check_write(args.dk_canon, path, rel, accepted, tmp)
    return shown, failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dk-canon", required=True)
    ap.add_argument("--differences", default=os.path.join(os.path.dirname(__file__), "dcmdump_differences.tsv"))
    ap.add_argument("--checks", default="read,write,malformed")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    existing = [p for p in args.inputs if os.path.exists(p)]
    if not existing:
        print("SKIP: no input found (%s)" % ", ".join(args.inputs))
        return SKIP
    args.inputs = existing
    import shutil
    if not shutil.which("dcmdump"):
        print("SKIP: dcmdump (Debian package dcmtk) is not installed")
        return SKIP
    global HAVE_DCIODVFY, HAVE_PYDICOM
    HAVE_DCIODVFY = shutil.which("dciodvfy") is not None
    try:
        import pydicom  # noqa: F401
    except ImportError:
        HAVE_PYDICOM = False
    for tool, have in (("dciodvfy (dicom3tools)", HAVE_DCIODVFY), ("pydicom", HAVE_PYDICOM)):
        if not have:
            print("note: %s not available, its write-back checks are skipped" % tool)
    accepted = Accepted(args.differences)
    files = collect(existing)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for rel, failures in pool.map(lambda f: check_file(args, f, accepted), files):
            if failures:
                failed += 1
                print("DIFF %s" % rel)
                for f in failures:
                    print("    " + f)
            else:
                passed += 1
                print("OK   %s" % rel)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
