#!/usr/bin/env python3
"""Raw-socket peers against `dicomkit serve` on 127.0.0.1 (used by serve_ul_test.sh).

usage: serve_ul_attack.py MODE PORT [ARGS...]
  flood PORT N SECONDS          N connections each send a PDU header announcing 64 MiB, then
                                idle for SECONDS
  slowloris PORT SECONDS        64 idle sockets, 64 sending one byte a second, and a loop that
                                reconnects as soon as its connection is closed, for SECONDS
  rq PORT CALLING CALLED DUP    one A-ASSOCIATE-RQ (two contexts; DUP=1: both with ID 1); prints
                                the answer: "AC", "RJ result source reason", "ABORT", "CLOSED"
  garbage PORT                  sends an HTTP request, prints what came back
  malformed PORT CALLING CALLED ROUNDS
                                sends each malformed PDU of CASES (before or after an
                                association, on a connection of its own) ROUNDS times; prints one
                                "round name answer" line per case: "ABORT", "RJ ...", "AC",
                                "CLOSED" (closed with nothing sent) or "TIMEOUT" (nothing in 5 s)
Every loop is bounded by SECONDS; only the standard library is used.
"""
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"


def connect(port):
    s = socket.create_connection((HOST, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def item(kind, body):
    return struct.pack(">BBH", kind, 0, len(body)) + body


def associate_rq(calling, called, dup):
    ts = item(0x40, b"1.2.840.10008.1.2")
    ctx1 = item(0x20, bytes([1, 0, 0, 0]) + item(0x30, b"1.2.840.10008.1.1") + ts)
    ctx2 = item(0x20, bytes([1 if dup else 3, 0, 0, 0]) + item(0x30, b"1.2.840.10008.1.1") + ts)
    user = item(0x50, item(0x51, struct.pack(">I", 16384)) + item(0x52, b"1.2.3.4"))
    fixed = struct.pack(">HH", 1, 0) + called.ljust(16).encode("latin-1") + calling.ljust(16).encode("latin-1")
    body = fixed + bytes(32) + item(0x10, b"1.2.840.10008.3.1.1.1") + ctx1 + ctx2 + user
    return struct.pack(">BBI", 0x01, 0, len(body)) + body


def read_answer(s):
    data = b""
    try:
        while len(data) < 10:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    if len(data) < 6:
        return "CLOSED"
    if data[0] == 0x02:
        return "AC"
    if data[0] == 0x03 and len(data) >= 10:
        return "RJ %d %d %d" % (data[7], data[8], data[9])
    if data[0] == 0x07:
        return "ABORT"
    return "PDU %02X" % data[0]


def flood(port, n, seconds):
    header = struct.pack(">BBI", 0x01, 0, 64 * 1024 * 1024)
    socks = []
    for _ in range(n):
        try:
            s = connect(port)
            s.sendall(header)
            socks.append(s)
        except OSError:
            pass
    time.sleep(seconds)
    print("flood: %d connections" % len(socks))
    for s in socks:
        s.close()


def slowloris(port, seconds):
    end = time.time() + seconds
    idle, trickling = [], []
    for group in (idle, trickling):
        for _ in range(64):
            try:
                group.append(connect(port))
            except OSError:
                pass
    rq = associate_rq("SLOW", "ARCHIVE", False)
    reconnects = [0]

    def reconnector():
        while time.time() < end:
            try:
                s = connect(port)
            except OSError:
                time.sleep(0.05)
                continue
            reconnects[0] += 1
            s.settimeout(0.2)
            while time.time() < end:
                try:
                    if not s.recv(4096):
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            s.close()

    t = threading.Thread(target=reconnector)
    t.start()
    i = 0
    while time.time() < end:
        for s in trickling:
            try:
                s.send(rq[i % len(rq):i % len(rq) + 1])
            except OSError:
                pass
        i += 1
        time.sleep(min(1.0, max(0.0, end - time.time())))
    t.join()
    print("slowloris: %d reconnects" % reconnects[0])
    for s in idle + trickling:
        s.close()


def pdu(kind, body, length=None):
    return struct.pack(">BBI", kind, 0, len(body) if length is None else length) + body


def rq_body(calling, called, contexts, version=1, app=True, user=None):
    fixed = struct.pack(">HH", version, 0) + called.ljust(16).encode("latin-1") + calling.ljust(16).encode("latin-1")
    if user is None:
        user = item(0x50, item(0x51, struct.pack(">I", 16384)) + item(0x52, b"1.2.3.4"))
    return fixed + bytes(32) + (item(0x10, b"1.2.840.10008.3.1.1.1") if app else b"") + b"".join(contexts) + user


def echo_context(cid):
    return item(0x20, bytes([cid, 0, 0, 0]) + item(0x30, b"1.2.840.10008.1.1") + item(0x40, b"1.2.840.10008.1.2"))


def cases(calling, called):
    """(name, after an association?, bytes to send, close our sending side after them?)"""
    ctx = [echo_context(1)]
    good = rq_body(calling, called, ctx)
    rq = lambda body, length=None: pdu(0x01, body, length)
    fixed = good[:68]
    app = item(0x10, b"1.2.840.10008.3.1.1.1")
    user = item(0x50, item(0x51, struct.pack(">I", 16384)) + item(0x52, b"1.2.3.4"))
    pdv_cmd = lambda cid, data: struct.pack(">IB", len(data) + 2, cid) + bytes([0x03]) + data
    return [
        ("unknown-type-00", False, pdu(0x00, bytes(4)), False),
        ("unknown-type-08", False, pdu(0x08, bytes(4)), False),
        ("unknown-type-ff", False, pdu(0xFF, bytes(64)), False),
        ("rq-length-0", False, rq(b""), False),
        ("rq-shorter-than-fixed-fields", False, rq(good[:40]), False),
        ("rq-length-4g-then-eof", False, rq(good, 0xFFFFFFFF)[:200], True),
        ("rq-truncated-then-eof", False, rq(good)[:len(good) // 2], True),
        ("rq-header-3-bytes-then-eof", False, rq(good)[:3], True),
        ("rq-item-length-past-pdu", False, rq(fixed + struct.pack(">BBH", 0x10, 0, 0xFFFF) + b"1.2"), False),
        ("rq-context-item-length-0", False, rq(fixed + app + item(0x20, b"") + user), False),
        ("rq-context-item-truncated", False, rq(fixed + app + item(0x20, bytes([1, 0])) + user), False),
        ("rq-ts-length-past-context", False,
         rq(fixed + app + item(0x20, bytes([1, 0, 0, 0]) + item(0x30, b"1.2.840.10008.1.1") +
                                   struct.pack(">BBH", 0x40, 0, 500) + b"1.2") + user), False),
        ("rq-max-length-item-2-bytes", False,
         rq(rq_body(calling, called, ctx, user=item(0x50, item(0x51, b"\x40\x00") + item(0x52, b"1.2.3.4")))), False),
        ("rq-user-info-length-past-pdu", False, rq(fixed + app + ctx[0] + struct.pack(">BBH", 0x50, 0, 0x8000)), False),
        ("rq-no-application-context", False, rq(rq_body(calling, called, ctx, app=False)), False),
        ("rq-no-presentation-context", False, rq(rq_body(calling, called, [])), False),
        ("rq-protocol-version-0", False, rq(rq_body(calling, called, ctx, version=0)), False),
        ("rq-blank-calling-ae", False, rq(rq_body("", called, ctx)), False),
        ("rq-200-contexts", False, rq(rq_body(calling, called, [echo_context((2 * i + 1) % 256) for i in range(200)])), False),
        ("rq-even-context-id", False, rq(rq_body(calling, called, [echo_context(2)])), False),
        ("p-data-before-association", False, pdu(0x04, pdv_cmd(1, bytes(16))), False),
        ("release-rq-before-association", False, pdu(0x05, bytes(4)), False),
        ("release-rp-before-association", False, pdu(0x06, bytes(4)), False),
        ("ac-sent-to-the-acceptor", False, pdu(0x02, good), False),
        ("rj-sent-to-the-acceptor", False, pdu(0x03, bytes([0, 1, 1, 1])), False),
        ("abort-before-association", False, pdu(0x07, bytes(4)), False),
        ("second-associate-rq", True, rq(good), False),
        ("p-data-pdv-length-0", True, pdu(0x04, struct.pack(">I", 0)), False),
        ("p-data-pdv-length-past-pdu", True, pdu(0x04, struct.pack(">IBB", 0x10000, 1, 3) + bytes(8)), False),
        ("p-data-unknown-context-id", True, pdu(0x04, pdv_cmd(9, bytes(16))), False),
        ("p-data-garbage-command", True, pdu(0x04, pdv_cmd(1, b"\xff" * 64)), False),
        ("p-data-length-4g-then-eof", True, pdu(0x04, pdv_cmd(1, bytes(16)), 0xFFFFFFFF), True),
        ("unknown-type-after-association", True, pdu(0x0A, bytes(8)), False),
        ("release-rq-length-10", True, pdu(0x05, bytes(10)), False),
        ("ac-after-association", True, pdu(0x02, good), False),
    ]


def read_pdu(s):
    """One whole PDU as (type, body); None when the peer closed first; raises socket.timeout."""
    data = b""
    while len(data) < 6:
        chunk = s.recv(6 - len(data))
        if not chunk:
            return None
        data += chunk
    n = struct.unpack(">I", data[2:6])[0]
    body = b""
    while len(body) < n:
        chunk = s.recv(min(65536, n - len(body)))
        if not chunk:
            return None
        body += chunk
    return data[0], body


def malformed(port, calling, called, rounds):
    for r in range(rounds):
        for name, associated, payload, eof in cases(calling, called):
            s = connect(port)
            try:
                if associated:
                    s.sendall(pdu(0x01, rq_body(calling, called, [echo_context(1)])))
                    got = read_pdu(s)
                    if not got or got[0] != 0x02:
                        print("%d %s NO-AC" % (r, name))
                        continue
                s.sendall(payload)
                if eof:
                    s.shutdown(socket.SHUT_WR)
                try:
                    got = read_pdu(s)
                    if got is None:
                        answer = "CLOSED"
                    elif got[0] == 0x02:
                        answer = "AC"
                    elif got[0] == 0x03:
                        answer = "RJ %d %d %d" % (got[1][1], got[1][2], got[1][3])
                    elif got[0] == 0x07:
                        answer = "ABORT"
                    else:
                        answer = "PDU %02X" % got[0]
                except socket.timeout:
                    answer = "TIMEOUT"
                except OSError:
                    answer = "CLOSED"
                print("%d %s %s" % (r, name, answer))
            except OSError as e:
                print("%d %s ERROR %s" % (r, name, e))
            finally:
                s.close()
        sys.stdout.flush()


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "flood":
        flood(port, int(sys.argv[3]), float(sys.argv[4]))
    elif mode == "slowloris":
        slowloris(port, float(sys.argv[3]))
    elif mode == "rq":
        s = connect(port)
        s.sendall(associate_rq(sys.argv[3], sys.argv[4], sys.argv[5] == "1"))
        print(read_answer(s))
        s.close()
    elif mode == "garbage":
        s = connect(port)
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        print(read_answer(s))
        s.close()
    elif mode == "malformed":
        malformed(port, sys.argv[3], sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
