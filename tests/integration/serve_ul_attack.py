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
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
