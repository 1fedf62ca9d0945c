#!/usr/bin/python3
"""dicomkit serve with every file of a corpus folder (../shared/data/dicom): each file is sent,
the sender's per-file answer is recorded (Success, warning, refused with status and Error Comment,
or not sent with the sender's reason), serve is restarted after SIGTERM and, with a garbage file
and a text file dropped into storage/, after kill -9; after each start every instance answered
Success must be found (relational C-FIND) and retrieved, and serve must name the dropped files in
its log. Refusals must carry a reason.

  serve_corpus_test.py DICOMKIT CORPUS_DIR [dicomkit|peers]

dicomkit: `dicomkit send` stores, `dicomkit get` retrieves into a folder and each retrieved data
set is compared with the one sent (byte-identical after the meta information, or element by
element when the transfer syntax changed).
peers: Orthanc sends (REST upload, then /modalities/ARCHIVE/store per instance) and a second Orthanc
retrieves (C-MOVE from serve to itself); dcmjs-dimse sends (C-STORE per file) and retrieves (C-MOVE
into its own C-STORE SCP), with tests/support/node/ installed by scripts/bootstrap.sh.
Exits 77 (skipped) when CORPUS_DIR is absent, 1 on a failed assertion; every failure names the
file or UID and why."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(HERE, "..", "support")
sys.path.insert(0, SUPPORT)
import corpus  # noqa: E402

AET, AEC = "USER", "ARCHIVE"
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg, flush=True)


def note(msg):
    print(msg, flush=True)


def uid_list(uids, limit=12):
    uids = sorted(uids)
    return " ".join(uids[:limit]) + (f" ... ({len(uids)} in all)" if len(uids) > limit else "")


class Outcome:
    """The per-file answers of one sender."""

    def __init__(self, sender):
        self.sender = sender
        self.success = {}   # path -> status ("0x0000" or a warning status)
        self.refused = {}   # path -> (status, comment)
        self.unsent = {}    # path -> reason (the sender did not send it)
        self.broken = {}    # path -> what happened (sent, but no status came back)

    def success_uids(self, infos):
        """SOP Instance UID -> the paths answered Success for it."""
        out = defaultdict(list)
        for path in self.success:
            out[infos[path].sop_instance].append(path)
        return out

    def report(self, infos, total):
        note(f"{self.sender}: {total} files: {len(self.success)} answered Success"
             f" ({sum(1 for s in self.success.values() if s != '0x0000')} of them with a warning),"
             f" {len(self.refused)} refused, {len(self.unsent)} not sent, {len(self.broken)} without a status")
        by_status = defaultdict(list)
        for path, (status, comment) in sorted(self.refused.items()):
            by_status[(status, comment)].append(infos[path].rel)
        for (status, comment), rels in sorted(by_status.items()):
            note(f"  refused {status} \"{comment}\": {len(rels)}: {' '.join(rels[:6])}{' ...' if len(rels) > 6 else ''}")
            if not comment.strip():
                fail(f"{self.sender}: refused with {status} and no Error Comment: {' '.join(rels)}")
        by_reason = defaultdict(list)
        for path, reason in sorted(self.unsent.items()):
            by_reason[reason].append(infos[path].rel)
        for reason, rels in sorted(by_reason.items()):
            note(f"  not sent ({reason}): {len(rels)}: {' '.join(rels[:6])}{' ...' if len(rels) > 6 else ''}")
            if not reason.strip():
                fail(f"{self.sender}: not sent and no reason given: {' '.join(rels)}")
        for path, what in sorted(self.broken.items()):
            fail(f"{self.sender}: {infos[path].rel}: sent, and no status came back: {what}")
        for path in self.success:
            if not infos[path].sop_instance:
                fail(f"{self.sender}: {infos[path].rel} answered Success but has no SOP Instance UID that pydicom reads")


# ---------------------------------------------------------------------------------------------
# Senders


# What send says of a file it did not store that is not a DIMSE status: the file is not an
# instance, or no presentation context was accepted for it. Anything else (an aborted or closed
# association, a timeout) means a store was cut off: a failure of the test.
LOCAL_REASON = re.compile(r"presentation context|SOP Class/Instance UID|not readable|not a DICOM|no such file", re.I)


def send_dicomkit(dk, port, root, infos, work):
    """dicomkit send of the whole folder: a file it does not list as FAILED was answered Success
    (or a warning: a line "WARNING PATH: 0xXXXX ..." when send prints one)."""
    rc, out, err = corpus.run([dk, "send", "127.0.0.1", str(port), root, "--aet", AET, "--aec", AEC, "-j", "2"], 240)
    with open(os.path.join(work, "send.out"), "w") as f:
        f.write(out + err)
    o = Outcome("dicomkit send")
    failed, warned = {}, {}
    for line in out.splitlines():
        for prefix, into in (("FAILED ", failed), ("WARNING ", warned)):
            if line.startswith(prefix) and ": " in line:
                path, why = line[len(prefix):].split(": ", 1)
                into[path] = why
    if rc is None:
        fail(f"dicomkit send did not finish: {err}")
    for path in infos:
        why = failed.get(path)
        if why is None:
            o.success[path] = warned.get(path, "0x0000").split(" ")[0]
        elif why.startswith("0x"):
            status = why.split(" ")[0]
            # "0xXXXX meaning (Error Comment)": the meanings have no parentheses, comments may.
            comment = why[why.find(" (") + 2:-1] if why.endswith(")") and " (" in why else ""
            o.refused[path] = (status, comment)
        elif LOCAL_REASON.search(why):
            o.unsent[path] = why
        else:
            o.broken[path] = why
    others = set(failed) - set(infos)
    if others:
        fail(f"dicomkit send: failures not about a file: {others}")
    return o


def send_dcmjs(node_dir, port, infos, work, per_file_s=10):
    """dcmjs-dimse C-STORE of each file (tests/support/node/dimse_store.js, which prints one line
    per file in order). dcmjs-dimse can block its own event loop on some files, so its timers do
    not fire: a file with no answer within per_file_s seconds is recorded as such, the process
    is killed and a new one goes on with the next file."""
    o = Outcome("dcmjs-dimse C-STORE")
    todo = list(infos)
    while todo:
        lst = os.path.join(work, "dcmjs_files.txt")
        with open(lst, "w") as f:
            f.write("".join(p + "\n" for p in todo))
        proc = subprocess.Popen(["node", os.path.join(node_dir, "dimse_store.js"), "127.0.0.1", str(port), "DCMJS",
                                 AEC, lst], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.set_blocking(proc.stdout.fileno(), False)
        buf, last = b"", time.monotonic()
        while todo:
            chunk = proc.stdout.read()
            if chunk:
                buf += chunk
                last = time.monotonic()
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                parts = line.decode("utf-8", "replace").split("\t")
                if len(parts) != 3 or not todo or parts[0] != todo[0]:
                    continue
                path, status, comment = parts
                todo.pop(0)
                if status == "0x0000" or status == "0x0001" or status.startswith("0xB"):
                    o.success[path] = status
                elif status.startswith("0x"):
                    o.refused[path] = (status, comment)
                else:
                    o.unsent[path] = f"dcmjs-dimse: {status}: {comment}"
            if not todo:
                break
            if proc.poll() is not None and not chunk:
                o.unsent[todo.pop(0)] = f"dcmjs-dimse exited {proc.returncode} on this file"
                break
            if time.monotonic() - last > per_file_s:
                o.unsent[todo.pop(0)] = f"dcmjs-dimse: no answer within {per_file_s} s (its process was ended)"
                break
            time.sleep(0.02)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return o


def http(url, data=None, method=None, timeout=120):
    """(HTTP status, parsed JSON or text) of a request to a loopback Orthanc."""
    req = urllib.request.Request(url, data=data, method=method)
    if isinstance(data, (bytes, bytearray)) and not url.endswith("/instances"):
        req.add_header("Content-Type", "application/json")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=timeout) as r:
            body, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    except Exception as e:  # noqa: BLE001
        return None, str(e)
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode("utf-8", "replace")


def send_orthanc(orthanc, infos):
    """Upload every file to Orthanc (POST /instances), then have it C-STORE each instance it holds
    to serve, one request per instance (POST /modalities/ARCHIVE/store, synchronous)."""
    o = Outcome("Orthanc C-STORE")
    by_id = defaultdict(list)
    for path in infos:
        with open(path, "rb") as f:
            status, body = http(orthanc["url"] + "/instances", f.read(), "POST")
        if status == 200 and isinstance(body, dict) and body.get("ID"):
            by_id[body["ID"]].append(path)
        else:
            detail = body.get("Details") or body.get("Message") if isinstance(body, dict) else str(body)[:100]
            o.unsent[path] = f"Orthanc did not take the file (HTTP {status}: {detail})"
    for oid, paths in by_id.items():
        status, body = http(orthanc["url"] + f"/modalities/{AEC}/store",
                            json.dumps({"Resources": [oid], "Synchronous": True, "Timeout": 60}).encode(), "POST")
        for path in paths:
            if status == 200 and isinstance(body, dict) and body.get("FailedInstancesCount", 0) == 0:
                o.success[path] = "0x0000"
            else:
                detail = (body.get("Details") or body.get("Message") or json.dumps(body)) if isinstance(body, dict) \
                    else str(body)
                # Orthanc (1.10) says which DIMSE status it got in the error's text, not the
                # Error Comment; a failure without a status (an abort, a closed connection) is
                # not a refusal.
                m = re.search(r"DIMSE status (0x[0-9A-Fa-f]{4})", str(detail))
                if m:
                    o.refused[path] = (m.group(1).upper().replace("0X", "0x"), f"Orthanc: {str(detail)[:160]}")
                elif "Failed to send message" in str(detail):
                    # Orthanc's DICOM library could not write the message (DCMTK's storescu fails
                    # on the same files, e.g. some deflated ones): it never reached serve whole.
                    o.unsent[path] = f"Orthanc could not send it: {str(detail)[:160]}"
                elif "Cannot transcode from" in str(detail):
                    # No context Orthanc proposed for the class it read was accepted, so it sent
                    # nothing. Orthanc 1.10 reads the SOP class of files whose encapsulated pixel
                    # data has VR OW (jpeg2000/explicit_VR-UN, rt/rtdose_rle*) as "31", which is
                    # no SOP class: serve refuses that abstract syntax at negotiation.
                    o.unsent[path] = f"Orthanc proposed nothing serve accepts: {str(detail)[:160]}"
                else:
                    o.broken[path] = f"Orthanc HTTP {status}: {str(detail)[:160]}"
    return o


# ---------------------------------------------------------------------------------------------
# Checks


def check_found(dk, serve, wanted, stage, infos):
    """Every wanted SOP Instance UID is returned by a relational C-FIND at IMAGE level (Study
    Root), but for non-patient objects (found in a model of their own; they must be retrieved)."""
    found, problem = corpus.find_all(dk, serve.port, AET, AEC)
    if problem:
        fail(f"{stage}: C-FIND: {problem}")
    objects = {u for u, paths in wanted.items() if infos[paths[0]].sop_class in corpus.NON_PATIENT_MODELS}
    if objects:
        # Non-patient objects are found in their own model (Color Palette, Hanging Protocol, ...).
        models = {corpus.NON_PATIENT_MODEL_NAMES[infos[wanted[u][0]].sop_class] for u in objects}
        in_models = set()
        for model in sorted(models):
            uids, problem = corpus.find_objects(dk, serve.port, AET, AEC, model)
            if problem:
                fail(f"{stage}: C-FIND: {problem}")
            in_models |= uids
        lost = objects - in_models
        note(f"{stage}: C-FIND: {len(objects & in_models)} of {len(objects)} non-patient objects found in their"
             f" models ({', '.join(sorted(models))})")
        if lost:
            fail(f"{stage}: answered Success, not found in their non-patient model: {len(lost)}: {uid_list(lost)}")
        found |= in_models
    wanted = {u: p for u, p in wanted.items() if u not in objects}
    missing = set(wanted) - found
    note(f"{stage}: C-FIND: {len(set(wanted) & found)} of {len(wanted)} answered Success found"
         f" ({len(found)} instances in all)")
    if missing:
        fail(f"{stage}: answered Success, not found by C-FIND: {len(missing)}: {uid_list(missing)}")
    return found


def retrieve_dicomkit(dk, serve, wanted, infos, out_dir, stage):
    """dicomkit get of every wanted instance (one C-GET per study; instances without a Study
    Instance UID by their SOP Instance UID, relational) and a comparison with what was sent."""
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir)
    studies, loose, problems = defaultdict(set), set(), []
    for uid, paths in wanted.items():
        study = infos[paths[0]].study
        if study:
            studies[study].add(uid)
        else:
            loose.add(uid)
    for study in sorted(studies):
        rc, out = corpus.get(dk, serve.port, AET, AEC, out_dir, [f"StudyInstanceUID={study}"])
        if rc != 0:
            problems.append(f"study {study}: exit {rc}: {out.splitlines()[-1] if out else ''}")
    for uid in sorted(loose):
        model = corpus.NON_PATIENT_MODEL_NAMES.get(infos[wanted[uid][0]].sop_class)
        rc, out = corpus.get(dk, serve.port, AET, AEC, out_dir, [f"SOPInstanceUID={uid}"], level="IMAGE",
                             relational=True, model=model)
        if rc != 0:
            problems.append(f"instance {uid} ({corpus.NON_PATIENT_NOTE}): exit {rc}: "
                            f"{out.splitlines()[-1] if out else ''}")
    got = corpus.received_uids(out_dir)
    missing = set(wanted) - set(got)
    note(f"{stage}: C-GET: {len(set(wanted) & set(got))} of {len(wanted)} answered Success retrieved"
         f" ({len(studies)} studies, {len(loose)} instances without a study)")
    for p in problems:
        note(f"  get: {p}")
    if missing:
        fail(f"{stage}: answered Success, not retrieved by C-GET: {len(missing)}: "
             + "; ".join(f"{u} ({', '.join(infos[p].rel for p in wanted[u])})" for u in sorted(missing)[:15])
             + (" ..." if len(missing) > 15 else ""))
    identical = converted = 0
    for uid, path in sorted(got.items()):
        if uid not in wanted:
            continue
        diffs = [corpus.compare(p, path) for p in wanted[uid]]
        if "" in diffs:
            identical += 1
            continue
        equal = [d for d in diffs if d.startswith("equal: ")]
        if equal:
            converted += 1
            note(f"  {infos[wanted[uid][0]].rel}: {equal[0]}")
            continue
        fail(f"{stage}: {uid} ({infos[wanted[uid][0]].rel}): retrieved data set differs from the one sent: {diffs[0]}")
    note(f"{stage}: compared: {identical} byte-identical data sets, {converted} equal element by element")
    return got


def restart_cycle(serve, dk, wanted, infos, work, check):
    """SIGTERM + start, then garbage into storage/ + kill -9 + start; check(stage) after each."""
    rc = serve.stop(signal.SIGTERM)
    if rc != 0:
        fail(f"serve exited {rc} on SIGTERM")
    if not serve.start("after_sigterm"):
        fail("serve did not start again after SIGTERM: " + tail(serve.log()))
        return False
    note(f"after SIGTERM: serve started again (port {serve.port})")
    check("after SIGTERM")
    storage = os.path.join(serve.data, "storage")
    garbage = os.path.join(storage, "garbage.dcm")
    text = os.path.join(storage, "notes.txt")
    with open(garbage, "wb") as f:
        f.write(b"\x00" * 128 + b"DICM" + os.urandom(700))
    with open(text, "w") as f:
        f.write("not a DICOM file\n")
    serve.stop(signal.SIGKILL)
    if not serve.start("after_kill"):
        fail("serve did not start after kill -9 with a garbage file in storage/: " + tail(serve.log()))
        return False
    note(f"after kill -9: serve started again (port {serve.port})")
    log = serve.log()
    for path in (garbage, text):
        rel = os.path.relpath(path, serve.data)
        if path in log or rel in log:
            line = next(ln for ln in log.splitlines() if path in ln or rel in ln)
            note(f"  logged: {line.strip()[:200]}")
        else:
            fail(f"after kill -9: serve's log does not name {path}: {tail(log)}")
    check("after kill -9")
    return True


def tail(text, n=5):
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return " | ".join(lines[-n:])


# ---------------------------------------------------------------------------------------------
# Parts


def part_dicomkit(dk, root, infos_list, work):
    infos = {i.path: i for i in infos_list}
    serve = corpus.Serve(dk, work, os.path.join(work, "var"), ["--aet", AEC, "--peer", f"{AET}=127.0.0.1:1"])
    if not serve.start("serve"):
        fail("serve did not start: " + tail(serve.log()))
        return serve
    outcome = send_dicomkit(dk, serve.port, root, infos, work)
    outcome.report(infos, len(infos))
    wanted = outcome.success_uids(infos)
    note(f"{len(wanted)} distinct SOP Instance UIDs answered Success")

    def check(stage):
        check_found(dk, serve, wanted, stage, infos)
        retrieve_dicomkit(dk, serve, wanted, infos, os.path.join(work, "got"), stage)

    check("stored")
    restart_cycle(serve, dk, wanted, infos, work, check)
    return serve


def orthanc_start(folder, *modalities, aet):
    """A private Orthanc (tests/support/orthanc.sh); a dict with pid, ports and url."""
    script = ('source "$1" && shift && ORTHANC_AET="$1" && shift && orthanc_start "$@" > /dev/null'
              ' && echo "$ORTHANC_PID $ORTHANC_DICOM_PORT $ORTHANC_HTTP_PORT $ORTHANC_URL"')
    p = subprocess.run(["bash", "-c", script, "_", os.path.join(SUPPORT, "orthanc.sh"), aet, folder] + list(modalities),
                       capture_output=True, timeout=180, stdin=subprocess.DEVNULL)
    words = p.stdout.decode().split()
    if p.returncode != 0 or len(words) != 4:
        fail(f"Orthanc {aet} did not start: {p.stderr.decode()[-500:]}")
        return None
    return {"pid": int(words[0]), "dicom": int(words[1]), "http": int(words[2]), "url": words[3], "aet": aet}


def orthanc_stop(o):
    if not o:
        return
    try:
        os.kill(o["pid"], signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(300):
        try:
            os.kill(o["pid"], 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.kill(o["pid"], signal.SIGKILL)
    except ProcessLookupError:
        pass


def orthanc_move_all(orthanc, wanted, infos):
    """The second Orthanc C-MOVEs every wanted instance from serve to itself (per study; an
    instance without a study by its SOP Instance UID); returns the UIDs it then holds."""
    st, patients = http(orthanc["url"] + "/patients")
    for pid in patients if isinstance(patients, list) else []:
        http(orthanc["url"] + f"/patients/{pid}", method="DELETE")
    studies, loose = set(), set()
    for uid, paths in wanted.items():
        (studies.add(infos[paths[0]].study) if infos[paths[0]].study else loose.add(uid))
    problems = []
    for study in sorted(studies):
        st, body = http(orthanc["url"] + f"/modalities/{AEC}/move", json.dumps(
            {"Level": "Study", "Resources": [{"StudyInstanceUID": study}], "TargetAet": orthanc["aet"],
             "Synchronous": True, "Timeout": 60}).encode(), "POST")
        if st != 200:
            problems.append(f"study {study}: HTTP {st}: {str(body)[:200]}")
    for uid in sorted(loose):
        st, body = http(orthanc["url"] + f"/modalities/{AEC}/move", json.dumps(
            {"Level": "Instance", "Resources": [{"SOPInstanceUID": uid}], "TargetAet": orthanc["aet"],
             "Synchronous": True, "Timeout": 60}).encode(), "POST")
        if st != 200:
            problems.append(f"instance {uid} ({corpus.NON_PATIENT_NOTE}): HTTP {st}: {str(body)[:200]}")
    st, ids = http(orthanc["url"] + "/instances")
    held = set()
    for oid in ids if isinstance(ids, list) else []:
        st, tags = http(orthanc["url"] + f"/instances/{oid}")
        if isinstance(tags, dict):
            held.add(tags.get("MainDicomTags", {}).get("SOPInstanceUID", ""))
    return held, problems, len(studies), len(loose)


def dcmjs_move_all(node_dir, serve, scp_port, wanted, infos, work):
    """dcmjs-dimse C-MOVEs every wanted instance from serve into its own SCP; the UIDs received."""
    reqs = os.path.join(work, "dcmjs_moves.txt")
    studies, loose = set(), set()
    for uid, paths in wanted.items():
        i = infos[paths[0]]
        (studies.add(i.study) if i.study else loose.add(uid))
    with open(reqs, "w") as f:
        f.write("".join(f"STUDY\t{s}\n" for s in sorted(studies)))
        for u in sorted(loose):
            model = corpus.NON_PATIENT_MODELS.get(infos[wanted[u][0]].sop_class)
            f.write(f"OBJECT\t{model[0]}\t{u}\n" if model else f"IMAGE\t\t\t{u}\n")
    out_dir = os.path.join(work, "dcmjs_got")
    shutil.rmtree(out_dir, ignore_errors=True)
    rc, out, err = corpus.run(["node", os.path.join(node_dir, "dimse_move.js"), "127.0.0.1", str(serve.port), "DCMJS",
                               AEC, "DCMJS", str(scp_port), out_dir, reqs], 180)
    held, problems = set(), []
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[0] == "stored" and len(parts) >= 2:
            held.add(parts[1])
        elif parts[0] == "unsaved":
            problems.append("dcmjs-dimse could not save " + " ".join(parts[1:]))
        elif parts[0] == "final" and len(parts) >= 3 and parts[2] != "0x0000":
            problems.append(f"C-MOVE {parts[1]}: {' '.join(parts[2:])}")
    if rc != 0:
        problems.append(f"dimse_move.js exited {rc}: {err.strip()[-300:]}")
    return held, problems, len(studies), len(loose)


def peer_round(name, dk, infos, work, start_serve, send, retrieve):
    """One peer as sender, then as retriever before the restarts and after the last one."""
    note(f"== {name}")
    t0 = time.monotonic()
    serve = start_serve()
    if not serve:
        return
    outcome = send(serve)
    outcome.report(infos, len(infos))
    wanted = outcome.success_uids(infos)
    note(f"{name}: {len(wanted)} distinct SOP Instance UIDs answered Success ({time.monotonic() - t0:.0f} s)")

    def check_retrieved(stage):
        held, problems, n_studies, n_loose = retrieve(serve, wanted)
        for p in problems[:20]:
            note(f"  {name}: {stage}: retrieve: {p}")
        if len(problems) > 20:
            note(f"  {name}: {stage}: retrieve: ... {len(problems)} problems in all")
        missing = set(wanted) - held
        note(f"{name}: {stage}: retrieved by the peer: {len(set(wanted) & held)} of {len(wanted)} answered Success"
             f" ({n_studies} studies, {n_loose} instances without a study; {time.monotonic() - t0:.0f} s)")
        if missing:
            fail(f"{name}: {stage}: answered Success, not retrieved by the peer: {len(missing)}: "
                 + "; ".join(f"{u} ({infos[wanted[u][0]].rel})" for u in sorted(missing)[:15])
                 + (" ..." if len(missing) > 15 else ""))

    def check(stage):
        check_found(dk, serve, wanted, f"{name}: {stage}", infos)
        if stage != "after SIGTERM":
            check_retrieved(stage)

    check("stored")
    restart_cycle(serve, dk, wanted, infos, work, check)
    serve.stop(signal.SIGTERM)


def part_peers(dk, infos_list, work):
    infos = {i.path: i for i in infos_list}
    node_dir = os.path.abspath(os.path.join(SUPPORT, "node"))
    if not os.path.isdir(os.path.join(node_dir, "node_modules", "dcmjs-dimse")) or not shutil.which("node"):
        fail("node or tests/support/node/node_modules missing (scripts/bootstrap.sh installs them)")
    # Orthanc: one sends, another retrieves; serve keeps one port across its restarts so that
    # both Orthancs can call it.
    only = os.environ.get("DICOMKIT_CORPUS_PEERS", "orthanc,dcmjs").split(",")  # to run one of them
    if "orthanc" in only:
        part_orthanc(dk, infos, work)
    if "dcmjs" in only and not any("node_modules missing" in f for f in failures):
        part_dcmjs(dk, infos, work, node_dir)


def part_orthanc(dk, infos, work):
    port = corpus.free_port()
    o_send = orthanc_start(os.path.join(work, "orthanc_send"), f"{AEC}=127.0.0.1:{port}", aet="ORTHANC")
    o_recv = orthanc_start(os.path.join(work, "orthanc_recv"), f"{AEC}=127.0.0.1:{port}", aet="ORTHANCB")
    try:
        if o_send and o_recv:
            def start_o():
                s = corpus.Serve(dk, work, os.path.join(work, "var_orthanc"),
                                 ["--aet", AEC, "--peer", f"ORTHANC=127.0.0.1:{o_send['dicom']}",
                                  "--peer", f"ORTHANCB=127.0.0.1:{o_recv['dicom']}", "--peer", f"{AET}=127.0.0.1:1"])
                if not s.start("serve", port=port):
                    fail("serve did not start: " + tail(s.log()))
                    return None
                return s

            peer_round("Orthanc", dk, infos, work, start_o, lambda s: send_orthanc(o_send, infos),
                       lambda s, wanted: orthanc_move_all(o_recv, wanted, infos))
    finally:
        orthanc_stop(o_send)
        orthanc_stop(o_recv)


def part_dcmjs(dk, infos, work, node_dir):
    scp_port = corpus.free_port()

    def start_j():
        s = corpus.Serve(dk, work, os.path.join(work, "var_dcmjs"),
                         ["--aet", AEC, "--peer", f"DCMJS=127.0.0.1:{scp_port}", "--peer", f"{AET}=127.0.0.1:1"])
        if not s.start("serve"):
            fail("serve did not start: " + tail(s.log()))
            return None
        return s

    peer_round("dcmjs-dimse", dk, infos, work, start_j, lambda s: send_dcmjs(node_dir, s.port, infos, work),
               lambda s, wanted: dcmjs_move_all(node_dir, s, scp_port, wanted, infos, work))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    dk, root = sys.argv[1], sys.argv[2]
    mode = sys.argv[3] if len(sys.argv) > 3 else "dicomkit"
    if not os.path.isdir(root):
        print(f"SKIP: {root} is absent (the shared corpus sits beside the repository)")
        return 77
    root = os.path.abspath(root)
    t0 = time.monotonic()
    infos = corpus.inventory(root)
    note(f"{len(infos)} files in {root} ({sum(1 for i in infos if i.readable)} with a SOP Instance UID pydicom reads)")
    work = tempfile.mkdtemp(prefix="dk-corpus-")
    serve = None
    try:
        if mode == "dicomkit":
            serve = part_dicomkit(dk, root, infos, work)
        elif mode == "peers":
            part_peers(dk, infos, work)
        else:
            print(f"unknown mode {mode}")
            return 2
    finally:
        if serve:
            serve.stop(signal.SIGTERM)
        if os.environ.get("DICOMKIT_KEEP_WORK"):
            note(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    note(f"{mode}: {len(failures)} failed assertions in {time.monotonic() - t0:.0f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
