#!/usr/bin/env python3
"""dicomkit serve with [audit] to a file and to a UDP syslog receiver on 127.0.0.1: DCMTK
storescu, findscu, movescu, an echoscu from an AE that is not a peer, a REST removal, a QIDO-RS
search, a refused login and a send job; the file's lines and the datagrams are parsed back (XML,
RFC 5424) and the events checked for their codes, AE titles, UIDs and outcomes. Then a TLS syslog target that
never answers: stores take no longer than without [audit]; and a TLS collector (RFC 5425) that
gets the messages, octet-counted.

usage: serve_audit_test.py DICOMKIT PIXEL_DATA_DIR [--bench N]
(--bench N: only time storescu of N generated instances with and without [audit], print figures)
Exit 77 when DCMTK's storescu, findscu, movescu or echoscu is missing."""
import base64
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

DK, DATA = sys.argv[1], sys.argv[2]
CT = os.path.join(DATA, "CT_small.dcm")
SC = os.path.join(DATA, "SC_ybr_full_422_uncompressed.dcm")
CT_STUDY = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
SC_STUDY = "1.2.826.0.1.3680043.8.498.12406831542731051035295345080039845114"
TOKEN = "audit-test-token-0123456789"
failures = []


def fail(msg):
    print("FAIL: " + msg)
    failures.append(msg)


for tool in ("storescu", "findscu", "movescu", "echoscu"):
    if not shutil.which(tool):
        print("skip: no DCMTK " + tool)
        sys.exit(77)

work = tempfile.mkdtemp()
procs = []


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(work, ignore_errors=True)


def wait_for(path, pattern, seconds=15):
    rx = re.compile(pattern, re.M)
    end = time.time() + seconds
    while time.time() < end:
        if os.path.exists(path):
            with open(path, errors="replace") as f:
                m = rx.search(f.read())
            if m:
                return m
        time.sleep(0.1)
    return None


class UdpReceiver(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.datagrams = []
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                self.datagrams.append(self.sock.recv(65536))
            except socket.timeout:
                pass


def start_serve(name, config, extra=()):
    err = open(os.path.join(work, name + ".err"), "w")
    out = open(os.path.join(work, name + ".out"), "w")
    p = subprocess.Popen([DK, "serve", "--config", config, "--bind", "127.0.0.1", "--port", "0", "--data",
                          os.path.join(work, name + "-var"), "--aet", "ARCHIVE", "--no-fsync", "--http-token", TOKEN,
                          "--peer", "MODALITY=127.0.0.1:1", *extra], stdout=out, stderr=err)
    procs.append(p)
    m = wait_for(err.name, r"^\S+ I: listening on [0-9.]+:(\d+) ")
    if not m:
        print(open(err.name).read())
        raise SystemExit("FAIL: serve did not start")
    h = wait_for(err.name, r"^\S+ I: port (\d+): HTTP", 5)
    return p, int(m.group(1)), (int(h.group(1)) if h else 0)


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        fail("serve did not stop within 30 s")
        p.kill()


def run(cmd, timeout=120):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    return r.returncode, r.stdout.decode(errors="replace")


def code(el):
    return el.get("csd-code") if el is not None else None


def events(messages, event_id):
    return [m for m in messages if code(m.find("EventIdentification/EventID")) == event_id]


def participants(m):
    return {p.get("AlternativeUserID") or p.get("UserID"): p for p in m.findall("ActiveParticipant")}


def role(p):
    return code(p.find("RoleIDCode"))


def studies(m):
    return [o.get("ParticipantObjectID") for o in m.findall("ParticipantObjectIdentification")
            if code(o.find("ParticipantObjectIDTypeCode")) == "110180"]


def generate(n, folder):
    """n copies of CT_small with new SOP Instance UIDs in one study (Debian's pydicom)."""
    os.makedirs(folder, exist_ok=True)
    script = ("import pydicom,sys\n"
              "d=pydicom.dcmread(sys.argv[1])\n"
              "for i in range(int(sys.argv[2])):\n"
              "    u='2.25.%d%06d' % (4242, i)\n"
              "    d.SOPInstanceUID=u; d.file_meta.MediaStorageSOPInstanceUID=u\n"
              "    d.StudyInstanceUID='2.25.777'; d.SeriesInstanceUID='2.25.778'\n"
              "    d.save_as('%s/%05d.dcm' % (sys.argv[3], i))\n")
    subprocess.run(["/usr/bin/python3", "-c", script, CT, str(n), folder], check=True)


def time_stores(name, config, folder):
    p, port, _ = start_serve(name, config)
    t0 = time.time()
    rc, out = run(["storescu", "-aet", "MODALITY", "-aec", "ARCHIVE", "+sd", "127.0.0.1", str(port), folder], 600)
    elapsed = time.time() - t0
    if rc != 0:
        fail("storescu to %s: %s" % (name, out[-400:]))
    stop(p)
    return elapsed


try:
    if "--bench" in sys.argv:
        n = int(sys.argv[sys.argv.index("--bench") + 1])
        folder = os.path.join(work, "gen")
        generate(n, folder)
        plain = os.path.join(work, "plain.toml")
        open(plain, "w").write("")
        audited = os.path.join(work, "audited.toml")
        rx = UdpReceiver()
        rx.start()
        open(audited, "w").write('[audit]\nfile = "%s"\nsyslog = "udp://127.0.0.1:%d"\n' % (
            os.path.join(work, "bench-audit.log"), rx.port))
        for rnd in range(2):
            a = time_stores("plain%d" % rnd, plain, folder)
            b = time_stores("audit%d" % rnd, audited, folder)
            print("storescu of %d instances: %.2f s without [audit], %.2f s with (ratio: %.2f)" % (n, a, b, b / a))
        sys.exit(1 if failures else 0)

    # The move destination: dicomkit receive.
    recv_err = os.path.join(work, "recv.err")
    recv = subprocess.Popen([DK, "receive", "0", "--bind", "127.0.0.1", "--out", os.path.join(work, "moved"),
                             "--aet", "DEST", "--no-fsync"], stdout=subprocess.DEVNULL, stderr=open(recv_err, "w"))
    procs.append(recv)
    m = wait_for(recv_err, r"^\S+ I: listening on [0-9.]+:(\d+) ")
    if not m:
        raise SystemExit("FAIL: receive did not start")
    dest_port = int(m.group(1))

    rx = UdpReceiver()
    rx.start()
    audit_file = os.path.join(work, "audit.log")
    config = os.path.join(work, "serve.toml")
    with open(config, "w") as f:
        f.write('[audit]\nfile = "%s"\nsyslog = "udp://127.0.0.1:%d"\nenterprise_site_id = "Test Site"\n'
                'source_id = "ARCHIVE@test"\n' % (audit_file, rx.port))
        f.write('[[peers]]\nae_title = "DEST"\nhost = "127.0.0.1"\nport = %d\nallow = ["move-destination"]\n' % dest_port)
    serve, port, http = start_serve("serve", config)

    rc, out = run(["storescu", "-aet", "MODALITY", "-aec", "ARCHIVE", "127.0.0.1", str(port), CT, SC])
    if rc != 0:
        fail("storescu: " + out)
    rc, out = run(["findscu", "-S", "-aet", "MODALITY", "-aec", "ARCHIVE", "-k", "QueryRetrieveLevel=STUDY",
                   "-k", "StudyInstanceUID=" + CT_STUDY, "-k", "PatientID", "127.0.0.1", str(port)])
    if rc != 0:
        fail("findscu: " + out)
    rc, out = run(["movescu", "-S", "-aet", "MODALITY", "-aec", "ARCHIVE", "-aem", "DEST", "-k",
                   "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + CT_STUDY, "127.0.0.1", str(port)])
    if rc != 0:
        fail("movescu: " + out)
    rc, out = run(["echoscu", "-aet", "INTRUDER", "-aec", "ARCHIVE", "127.0.0.1", str(port)])
    if rc == 0:
        fail("echoscu from an unknown AE was accepted")
    if http:
        auth = ["-H", "Authorization: Bearer " + TOKEN]
        rc, out = run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *auth, "-X", "DELETE",
                       "http://127.0.0.1:%d/api/studies/%s" % (http, SC_STUDY)])
        if out != "200":
            fail("DELETE study: HTTP " + out)
        rc, out = run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *auth,
                       "http://127.0.0.1:%d/dicom-web/studies?PatientID=1CT1" % http])
        if out != "200":
            fail("QIDO-RS: HTTP " + out)
        rc, out = run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", *auth,
                       "http://127.0.0.1:%d/dicom-web/studies/%s/metadata" % (http, CT_STUDY)])
        if out != "200":
            fail("WADO-RS metadata: HTTP " + out)
        rc, out = run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H",
                       "Content-Type: application/json", "-d", '{"user":"mallory<x>","password":"guess"}',
                       "http://127.0.0.1:%d/api/login" % http])
        if out != "401":
            fail("login with a wrong password: HTTP " + out)
        # A send job of the CT study to DEST.
        rc, out = run(["curl", "-s", *auth, "-X", "POST", "-H", "Content-Type: application/json", "-d",
                       '{"type":"send","peer":"DEST","study":"%s"}' % CT_STUDY, "http://127.0.0.1:%d/api/jobs" % http])
        job = re.search(r'"id":(\d+)', out)
        state = ""
        for _ in range(300):
            if not job:
                break
            rc, state = run(["curl", "-s", *auth, "http://127.0.0.1:%d/api/jobs/%s" % (http, job.group(1))])
            if '"state":"queued"' not in state and '"state":"running"' not in state:
                break
            time.sleep(0.1)
        if not job or '"done":1' not in state:
            fail("send job: %s %s" % (out, state))
        rc, stats = run(["curl", "-s", *auth, "http://127.0.0.1:%d/api/stats" % http])
        if '"audit":{"sinks":2' not in stats:
            fail("/api/stats has no audit counts: " + stats)
    else:
        fail("no HTTP port logged")
    stop(serve)
    time.sleep(0.5)
    rx.stop = True
    rx.join()

    lines = open(audit_file, encoding="utf-8").read().splitlines()
    messages = []
    for i, line in enumerate(lines):
        try:
            messages.append(ET.fromstring(line))
        except ET.ParseError as e:
            fail("audit line %d is not well-formed XML: %s: %s" % (i + 1, e, line[:200]))
    # The datagrams: RFC 5424 headers, the same messages.
    hdr = re.compile(rb"^<85>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ dicomkit \d+ IHE\+RFC-3881 - \xef\xbb\xbf")
    bodies = []
    for d in rx.datagrams:
        m = hdr.match(d)
        if not m:
            fail("datagram without the RFC 5424 header: %r" % d[:120])
            continue
        bodies.append(d[m.end():].decode("utf-8"))
    if sorted(bodies) != sorted(lines):
        fail("syslog got %d messages, the file %d (or they differ)" % (len(bodies), len(lines)))

    for m in messages:
        src = m.find("AuditSourceIdentification")
        if src is None or src.get("AuditSourceID") != "ARCHIVE@test" or src.get("AuditEnterpriseSiteID") != "Test Site":
            fail("audit source identification: " + ET.tostring(m, encoding="unicode")[:300])
            break
        when = m.find("EventIdentification").get("EventDateTime", "")
        if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", when):
            fail("EventDateTime " + when)

    app = events(messages, "110100")
    kinds = [code(a.find("EventIdentification/EventTypeCode")) for a in app]
    if kinds != ["110120", "110121"]:
        fail("Application Activity start and stop: got %s" % kinds)

    transferred = events(messages, "110104")
    stored = [t for t in transferred if t.find("EventIdentification").get("EventActionCode") == "C"]
    got = sorted(s for t in stored for s in studies(t))
    if got != sorted([CT_STUDY, SC_STUDY]):
        fail("one Instances Transferred (C) per stored study: got %s" % got)
    for t in stored:
        p = participants(t)
        src, dst = p.get("AETITLES=MODALITY"), p.get("AETITLES=ARCHIVE")
        if src is None or role(src) != "110153" or src.get("UserIsRequestor") != "true" or \
                src.get("NetworkAccessPointID") != "127.0.0.1":
            fail("store source participant: " + ET.tostring(t, encoding="unicode")[:400])
        if dst is None or role(dst) != "110152":
            fail("store destination participant")
        if t.find("EventIdentification").get("EventOutcomeIndicator") != "0":
            fail("store outcome")
        if CT_STUDY in studies(t):
            sop = t.find("ParticipantObjectIdentification/SOPClass")
            if sop is None or sop.get("UID") != "1.2.840.10008.5.1.4.1.1.2" or sop.get("NumberOfInstances") != "1":
                fail("CT study SOPClass")
            pats = [o for o in t.findall("ParticipantObjectIdentification") if o.get("ParticipantObjectTypeCode") == "1"]
            if not pats or pats[0].get("ParticipantObjectID") != "1CT1":
                fail("the patient of the stored CT study")

    sent = [t for t in transferred if t.find("EventIdentification").get("EventActionCode") == "R"]
    moved = [t for t in sent if "AETITLES=MODALITY" in participants(t)]
    jobs = [t for t in sent if "AETITLES=DEST" in participants(t) and "AETITLES=MODALITY" not in participants(t)]
    wado = [t for t in sent if "AETITLES=DEST" not in participants(t) and "AETITLES=MODALITY" not in participants(t)]
    if http and (len(wado) != 1 or studies(wado[0]) != [CT_STUDY] or
                 not any(v.get("UserIsRequestor") == "true" and v.get("NetworkAccessPointID") == "127.0.0.1"
                         for v in participants(wado[0]).values())):
        fail("one Instances Transferred (R) for the WADO-RS read, the HTTP client the requestor: got %d" % len(wado))
    begun = events(messages, "110102")
    if len(jobs) != 1 or len(begun) != 1 or studies(jobs[0]) != [CT_STUDY] or studies(begun[0]) != [CT_STUDY] or \
            role(participants(jobs[0]).get("AETITLES=DEST", ET.Element("x"))) != "110152":
        fail("the send job: one Begin Transferring and one Instances Transferred (R) to DEST")
    if len(moved) != 1 or studies(moved[0]) != [CT_STUDY]:
        fail("one Instances Transferred (R) for the C-MOVE: got %d" % len(moved))
    else:
        p = participants(moved[0])
        if "AETITLES=DEST" not in p or role(p["AETITLES=DEST"]) != "110152" or \
                "AETITLES=MODALITY" not in p or p["AETITLES=MODALITY"].get("UserIsRequestor") != "true":
            fail("C-MOVE participants: " + ET.tostring(moved[0], encoding="unicode")[:500])

    queries = events(messages, "110112")
    dimse_q = [q for q in queries if "AETITLES=MODALITY" in participants(q)]
    if len(dimse_q) != 1:
        fail("one Query for the C-FIND: got %d" % len(dimse_q))
    else:
        raw = base64.b64decode(dimse_q[0].find("ParticipantObjectIdentification/ParticipantObjectQuery").text)
        if CT_STUDY.encode() not in raw or b"STUDY" not in raw:
            fail("the C-FIND identifier in ParticipantObjectQuery")
        if dimse_q[0].find("ParticipantObjectIdentification").get("ParticipantObjectID") != "1.2.840.10008.5.1.4.1.2.2.1":
            fail("the C-FIND SOP class")
    web_q = [q for q in queries if "AETITLES=MODALITY" not in participants(q)]
    if len(web_q) != 1 or b"PatientID=1CT1" not in base64.b64decode(
            web_q[0].find("ParticipantObjectIdentification/ParticipantObjectQuery").text):
        fail("one Query for the QIDO-RS search with its target")

    deleted = events(messages, "110105")
    if len(deleted) != 1 or studies(deleted[0]) != [SC_STUDY] or \
            deleted[0].find("EventIdentification").get("EventActionCode") != "D":
        fail("one DICOM Study Deleted (D) for the REST removal")
    else:
        pats = [o for o in deleted[0].findall("ParticipantObjectIdentification")
                if o.get("ParticipantObjectTypeCode") == "1"]
        if not pats or pats[0].get("ParticipantObjectID") != "ID1":
            fail("the patient of the deleted study (looked up before the removal)")

    logins = events(messages, "110114")
    if len(logins) != 1 or "mallory<x>" not in participants(logins[0]) or \
            logins[0].find("EventIdentification").get("EventOutcomeIndicator") != "4" or \
            code(logins[0].find("EventIdentification/EventTypeCode")) != "110122":
        fail("one User Authentication (Login, outcome 4) for the refused login")

    alerts = events(messages, "110113")
    if not any("AETITLES=INTRUDER" in participants(a) for a in alerts):
        fail("a Security Alert for the unknown calling AE INTRUDER")
    elif code(alerts[0].find("EventIdentification/EventTypeCode")) != "110126":
        fail("Security Alert type")

    # A TLS syslog target that accepts connections and never answers: every handshake waits for
    # its timeout, and stores must not.
    black_hole = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(1)
    folder = os.path.join(work, "gen")
    generate(60, folder)
    plain = os.path.join(work, "plain.toml")
    open(plain, "w").write("")
    dead = os.path.join(work, "dead.toml")
    open(dead, "w").write('[audit]\nsyslog = "tls://127.0.0.1:%d"\n' % black_hole.getsockname()[1])
    # storescu sends the folder on one association: its message queues behind a handshake that
    # hangs until the connect timeout, and the stores must not wait for it.
    a = time_stores("plain", plain, folder)
    b = time_stores("dead", dead, folder)
    print("storescu of 60 instances: %.2f s without [audit], %.2f s with a TLS syslog target that never answers" % (a, b))
    if b > a * 2 + 3:
        fail("a dead TLS syslog target slowed stores: %.2f s against %.2f s" % (b, a))
    with open(os.path.join(work, "dead.out")) as f:
        if "W: audit: syslog tls://" not in f.read():
            fail("the dead syslog target was not logged")
    black_hole.close()

    # A TLS syslog collector (RFC 5425) with a throw-away self-signed certificate, which serve
    # verifies with ca = that certificate: octet-counted RFC 5424 frames carrying the messages.
    if shutil.which("openssl"):
        cert, key = os.path.join(work, "collector.pem"), os.path.join(work, "collector.key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-keyout", key, "-out", cert], check=True, capture_output=True)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        received = bytearray()

        def collect():
            listener.settimeout(60)
            try:
                conn, _ = listener.accept()
                with ctx.wrap_socket(conn, server_side=True) as tls:
                    tls.settimeout(60)
                    while True:
                        chunk = tls.recv(65536)
                        if not chunk:
                            break
                        received.extend(chunk)
            except (OSError, ssl.SSLError) as e:
                print("collector: %s" % e)

        collector = threading.Thread(target=collect, daemon=True)
        collector.start()
        tls_conf = os.path.join(work, "tls.toml")
        open(tls_conf, "w").write('[audit]\nsyslog = "tls://127.0.0.1:%d"\nca = "%s"\n' % (listener.getsockname()[1], cert))
        p, port, _ = start_serve("tls", tls_conf)
        rc, out = run(["storescu", "-aet", "MODALITY", "-aec", "ARCHIVE", "127.0.0.1", str(port), CT])
        if rc != 0:
            fail("storescu (TLS audit): " + out)
        stop(p)
        collector.join(10)
        frames, rest = [], bytes(received)
        while rest:
            m = re.match(rb"^(\d+) ", rest)
            if not m or len(rest) < m.end() + int(m.group(1)):
                fail("TLS syslog: not octet-counted at %r" % rest[:40])
                break
            frames.append(rest[m.end():m.end() + int(m.group(1))])
            rest = rest[m.end() + int(m.group(1)):]
        ids = []
        for fr in frames:
            h = hdr.match(fr)
            if not h:
                fail("TLS syslog frame without the RFC 5424 header: %r" % fr[:80])
                continue
            ids.append(code(ET.fromstring(fr[h.end():].decode("utf-8")).find("EventIdentification/EventID")))
        if ids != ["110100", "110104", "110100"]:
            fail("TLS syslog: expected start, the store and stop, got %s" % ids)
        listener.close()
    else:
        print("skip: no openssl: the TLS syslog collector is not tested")
finally:
    cleanup()

sys.exit(1 if failures else 0)
