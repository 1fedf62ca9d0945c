"""Shared code of the tests that send a whole folder of DICOM files to dicomkit serve and check what
it kept: an inventory of the files (pydicom), serve started, stopped and killed on a data folder,
C-FIND and C-GET through dicomkit, and the comparison of a retrieved data set with the one sent.
Used by tests/integration/serve_corpus_test.py with Debian's /usr/bin/python3 (pydicom)."""

import csv
import io
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field

import warnings

import pydicom
from pydicom.encaps import generate_pixel_data_fragment
from pydicom.filebase import DicomBytesIO

# The corpus holds files with invalid values on purpose; pydicom's warnings about them are noise.
warnings.filterwarnings("ignore")

NON_PATIENT_NOTE = "no Study Instance UID"

# Storage SOP classes of non-patient objects -> the C-MOVE and C-GET SOP classes of their own
# Query/Retrieve model (PS3.4 X Color Palette, U Hanging Protocol, BB/CC/DD implant templates,
# HH Defined Procedure Protocol, II Protocol Approval; PS3.6 Table A-1).
NON_PATIENT_MODELS = {
    "1.2.840.10008.5.1.4.39.1": ("1.2.840.10008.5.1.4.39.3", "1.2.840.10008.5.1.4.39.4"),
    "1.2.840.10008.5.1.4.38.1": ("1.2.840.10008.5.1.4.38.3", "1.2.840.10008.5.1.4.38.4"),
    "1.2.840.10008.5.1.4.43.1": ("1.2.840.10008.5.1.4.43.3", "1.2.840.10008.5.1.4.43.4"),
    "1.2.840.10008.5.1.4.44.1": ("1.2.840.10008.5.1.4.44.3", "1.2.840.10008.5.1.4.44.4"),
    "1.2.840.10008.5.1.4.45.1": ("1.2.840.10008.5.1.4.45.3", "1.2.840.10008.5.1.4.45.4"),
    "1.2.840.10008.5.1.4.1.1.200.1": ("1.2.840.10008.5.1.4.20.2", "1.2.840.10008.5.1.4.20.3"),
    "1.2.840.10008.5.1.4.1.1.200.7": ("1.2.840.10008.5.1.4.20.2", "1.2.840.10008.5.1.4.20.3"),
    "1.2.840.10008.5.1.4.1.1.200.3": ("1.2.840.10008.5.1.4.1.1.200.5", "1.2.840.10008.5.1.4.1.1.200.6"),
}
# The same models by the name `dicomkit find/get --model` gives them.
NON_PATIENT_MODEL_NAMES = {
    "1.2.840.10008.5.1.4.39.1": "color-palette",
    "1.2.840.10008.5.1.4.38.1": "hanging-protocol",
    "1.2.840.10008.5.1.4.43.1": "generic-implant-template",
    "1.2.840.10008.5.1.4.44.1": "implant-assembly-template",
    "1.2.840.10008.5.1.4.45.1": "implant-template-group",
    "1.2.840.10008.5.1.4.1.1.200.1": "defined-procedure-protocol",
    "1.2.840.10008.5.1.4.1.1.200.7": "defined-procedure-protocol",
    "1.2.840.10008.5.1.4.1.1.200.3": "protocol-approval",
}


@dataclass
class FileInfo:
    """What a file holds, as pydicom reads it (None: not readable as DICOM)."""

    path: str
    rel: str
    sop_class: str = ""
    sop_instance: str = ""
    study: str = ""
    series: str = ""
    transfer_syntax: str = ""
    readable: bool = False


def inventory(root):
    """Every regular file under root (sorted), with its UIDs where pydicom finds them."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if not os.path.isfile(path):
                continue
            info = FileInfo(path=path, rel=os.path.relpath(path, root))
            try:
                ds = pydicom.dcmread(path, force=True, stop_before_pixels=True)
                meta = getattr(ds, "file_meta", None)
                info.sop_class = str(ds.get("SOPClassUID", "") or (meta.get("MediaStorageSOPClassUID", "") if meta else ""))
                info.sop_instance = str(
                    ds.get("SOPInstanceUID", "") or (meta.get("MediaStorageSOPInstanceUID", "") if meta else ""))
                info.study = str(ds.get("StudyInstanceUID", "") or "")
                info.series = str(ds.get("SeriesInstanceUID", "") or "")
                info.transfer_syntax = str(meta.get("TransferSyntaxUID", "") if meta else "")
                info.readable = bool(info.sop_instance)
            except Exception:  # noqa: BLE001 - a file pydicom cannot read is a finding, not an error
                pass
            out.append(info)
    return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Serve:
    """One dicomkit serve on a data folder; each start logs to WORK/NAME.out and WORK/NAME.err."""

    def __init__(self, dk, work, data, args):
        self.dk, self.work, self.data, self.args = dk, work, data, list(args)
        self.proc = None
        self.port = None
        self.name = None
        self.fixed_port = 0

    def start(self, name, port=None, wait_s=30):
        """Starts serve on port (default: the one given at the first start, else any free one);
        returns True once it listens, False (with self.port None) otherwise."""
        if port is not None:
            self.fixed_port = port
        port = self.fixed_port
        self.name = name
        out = open(os.path.join(self.work, name + ".out"), "wb")
        err = open(os.path.join(self.work, name + ".err"), "wb")
        self.proc = subprocess.Popen(
            [self.dk, "serve", "--bind", "127.0.0.1", "--port", str(port), "--data", self.data] + self.args,
            stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        out.close()
        err.close()
        self.port = None
        deadline = time.monotonic() + wait_s
        pattern = re.compile(r"^[^ ]* I: listening on [0-9.]*:([0-9]+) ", re.M)
        while time.monotonic() < deadline:
            m = pattern.search(self.log())
            if m:
                self.port = int(m.group(1))
                return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def log(self, name=None):
        """The text serve wrote (standard output and error) in its start NAME (default: the last)."""
        name = name or self.name
        text = ""
        for ext in (".err", ".out"):
            try:
                with open(os.path.join(self.work, name + ext), "rb") as f:
                    text += f.read().decode("utf-8", "replace")
            except OSError:
                pass
        return text

    def stop(self, sig=signal.SIGTERM, wait_s=30):
        """Sends sig and waits; returns the exit status (None when it had to be killed)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def running(self):
        return self.proc is not None and self.proc.poll() is None


def run(cmd, timeout, **kw):
    """Runs cmd; returns (exit status, standard output, standard error) as text."""
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, **kw)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"").decode("utf-8", "replace"), f"timeout after {timeout} s"


def find_all(dk, port, aet, aec):
    """SOP Instance UIDs a relational IMAGE-level C-FIND (Study Root) returns for every instance;
    (set, problem text or '')."""
    rc, out, err = run([dk, "find", "127.0.0.1", str(port), "--aet", aet, "--aec", aec, "-S", "--relational",
                        "--level", "IMAGE", "-k", "StudyInstanceUID=", "-k", "SeriesInstanceUID=", "-k",
                        "SOPInstanceUID=", "--format", "csv"], 120)
    uids = set()
    rows = list(csv.reader(io.StringIO(out)))
    if rows and "SOPInstanceUID" in rows[0]:
        col = rows[0].index("SOPInstanceUID")
        uids = {r[col] for r in rows[1:] if len(r) > col and r[col]}
    problem = "" if rc == 0 else f"find exited {rc}: {(err or out).strip()[-300:]}"
    return uids, problem


def find_objects(dk, port, aet, aec, model):
    """SOP Instance UIDs a C-FIND in a non-patient model (--model NAME) returns; (set, problem)."""
    rc, out, err = run([dk, "find", "127.0.0.1", str(port), "--aet", aet, "--aec", aec, "--model", model, "-k",
                        "SOPInstanceUID=", "--format", "csv"], 120)
    uids = set()
    rows = list(csv.reader(io.StringIO(out)))
    if rows and "SOPInstanceUID" in rows[0]:
        col = rows[0].index("SOPInstanceUID")
        uids = {r[col] for r in rows[1:] if len(r) > col and r[col]}
    problem = "" if rc == 0 else f"find --model {model} exited {rc}: {(err or out).strip()[-300:]}"
    return uids, problem


def get(dk, port, aet, aec, out_dir, keys, level="STUDY", relational=False, timeout=120, model=None):
    """dicomkit get into out_dir (in the non-patient model `model` when given); returns (exit
    status, output)."""
    if model:
        cmd = [dk, "get", "127.0.0.1", str(port), "--aet", aet, "--aec", aec, "--model", model, "--out", out_dir]
    else:
        cmd = [dk, "get", "127.0.0.1", str(port), "--aet", aet, "--aec", aec, "-S", "--level", level, "--out",
               out_dir]
    if relational:
        cmd.append("--relational")
    for k in keys:
        cmd += ["-k", k]
    rc, out, err = run(cmd, timeout)
    return rc, (out + err).strip()


def dataset_offset(data):
    """Where the data set starts in a Part 10 file's bytes: after preamble, 'DICM' and the group
    0002 elements (explicit VR little endian); 0 for a file without them."""
    if len(data) < 132 or data[128:132] != b"DICM":
        return 0
    pos = 132
    while pos + 8 <= len(data):
        group = int.from_bytes(data[pos:pos + 2], "little")
        if group != 0x0002:
            break
        vr = data[pos + 4:pos + 6]
        if vr in (b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"UC", b"UR", b"OD", b"OL", b"OV", b"SV", b"UV"):
            length = int.from_bytes(data[pos + 8:pos + 12], "little")
            pos += 12 + length
        else:
            length = int.from_bytes(data[pos + 6:pos + 8], "little")
            pos += 8 + length
    return pos


def compare(sent_path, received_path):
    """'' when the received file's data set is byte-identical to the sent one (after the meta
    information); otherwise 'equal: WHY' when it is equal element by element (group lengths left
    out, odd fragments padded, native pixel data compared by length across transfer syntaxes), or
    what differs."""
    with open(sent_path, "rb") as f:
        sent = f.read()
    with open(received_path, "rb") as f:
        received = f.read()
    if sent[dataset_offset(sent):] == received[dataset_offset(received):]:
        return ""
    try:
        a = pydicom.dcmread(sent_path, force=True)
        b = pydicom.dcmread(received_path, force=True)
    except Exception as e:  # noqa: BLE001
        return f"not comparable: {e}"
    ts_a = str(a.file_meta.get("TransferSyntaxUID", "none"))
    ts_b = str(b.file_meta.get("TransferSyntaxUID", "none"))
    diff = _element_diff(a, b, ts_a == ts_b)
    if diff:
        return f"transfer syntax {ts_a} -> {ts_b}: " + diff
    return "equal: " + ("bytes differ, elements equal" if ts_a == ts_b else f"transfer syntax {ts_a} -> {ts_b}")


def _fragments(value):
    """The fragments of encapsulated pixel data, each padded to even length (PS3.5 A.4)."""
    fp = DicomBytesIO(value[8 + int.from_bytes(value[4:8], "little"):])
    fp.is_little_endian = True
    try:
        frags = list(generate_pixel_data_fragment(fp))
    except Exception:  # noqa: BLE001
        return [value]
    return [f + b"\0" if len(f) % 2 else f for f in frags]


def _element_diff(a, b, same_syntax):
    tags = sorted(set(a.keys()) | set(b.keys()))
    differ = []
    compressed = [ds.file_meta.get("TransferSyntaxUID", pydicom.uid.ImplicitVRLittleEndian).is_compressed
                  for ds in (a, b)]
    for t in tags:
        if t.group == 0x0002 or t.element == 0x0000:  # meta; group lengths (retired, PS3.5 7.2)
            continue
        ea, eb = a.get(t), b.get(t)
        if ea is None or eb is None:
            differ.append(f"{t} {'missing in received' if eb is None else 'added'}")
            continue
        if t == 0x7FE00010:
            va, vb = ea.value or b"", eb.value or b""
            if same_syntax and all(compressed):
                if _fragments(va) != _fragments(vb):
                    differ.append(f"{t} PixelData fragments")
            elif same_syntax:
                if va != vb:
                    differ.append(f"{t} PixelData")
            elif not any(compressed) and len(va) != len(vb):
                # Across transfer syntaxes the bytes may rightly differ (byte order, compression).
                differ.append(f"{t} PixelData length {len(va)} != {len(vb)}")
            continue
        try:
            if ea.value != eb.value:
                differ.append(f"{t} {ea.keyword or 'private'}")
        except Exception:  # noqa: BLE001
            differ.append(f"{t} not comparable")
    return ", ".join(differ[:8]) + (" ..." if len(differ) > 8 else "")


def received_uids(folder):
    """SOP Instance UID -> file for every DICOM file in folder (recursively)."""
    out = {}
    for info in inventory(folder):
        if info.sop_instance:
            out[info.sop_instance] = info.path
    return out
