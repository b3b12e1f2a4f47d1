#!/usr/bin/env python3
"""Soak `serve` with mixed good and hostile traffic on 127.0.0.1 (see bench/soak.sh).

Worker threads each loop over weighted scenarios until the time is up; one thread samples the server's RSS.
Every scenario knows the answer it must get: anything else is counted as an error. Prints a markdown
report: requests and errors per scenario, latency percentiles of the normal requests, RSS over time.
"""
import argparse
import random
import socket
import threading
import time

SCENARIOS = [
    # name, weight
    ("ok", 50),             # GET /ok -> 200
    ("echo", 20),           # POST /echo with a 1-16 KiB body -> 200
    ("stalled", 2),         # declares 100 bytes, sends 2, waits -> 408 at the body timeout
    ("oversize", 3),        # declares more than the request limit -> 413
    ("oversize-chunked", 2),  # a chunked body over the limit -> 413
    ("sleep", 2),           # a guest asleep for 20 s -> 504 at the deadline
    ("loop", 2),            # a guest in an infinite loop -> 504 at the deadline
    ("half-close", 5),      # shuts down its writing side after the request -> 200 (after a 100 Continue)
    ("abandon", 2),         # sends /sleep, closes after 200 ms -> the server cancels the invocation
    ("panic", 2),           # a guest panic -> 500
]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.count = {}
        self.errors = {}
        self.error_samples = []
        self.latency = {}  # scenario -> list of seconds

    def record(self, name, ok, seconds, detail=""):
        with self.lock:
            self.count[name] = self.count.get(name, 0) + 1
            self.latency.setdefault(name, []).append(seconds)
            if not ok:
                self.errors[name] = self.errors.get(name, 0) + 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{name}: {detail}")


def connect(addr, timeout=30):
    s = socket.create_connection(addr, timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_all(s):
    chunks = []
    while True:
        try:
            data = s.recv(65536)
        except (ConnectionResetError, BrokenPipeError):
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def final_status(raw):
    """The status of the final response, skipping interim 1xx responses."""
    while raw.startswith(b"HTTP/1.1 1"):
        end = raw.find(b"\r\n\r\n")
        if end < 0:
            return None
        raw = raw[end + 4:]
    try:
        return int(raw.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def request(addr, head, body=b""):
    s = connect(addr)
    try:
        s.sendall(head + b"\r\nhost: soak\r\nconnection: close\r\ncontent-length: %d\r\n\r\n" % len(body) + body)
        return final_status(read_all(s))
    finally:
        s.close()


def run(name, addr, args):
    if name == "ok":
        return request(addr, b"GET /ok HTTP/1.1") == 200, ""
    if name == "echo":
        body = random.randbytes(random.randint(1, 16) << 10)
        return request(addr, b"POST /echo HTTP/1.1", body) == 200, ""
    if name == "stalled":
        s = connect(addr)
        try:
            s.sendall(b"POST /echo HTTP/1.1\r\nhost: soak\r\ncontent-length: 100\r\n\r\nab")
            status = final_status(read_all(s))
        finally:
            s.close()
        return status == 408, f"status {status}"
    if name == "oversize":
        s = connect(addr)
        try:
            s.sendall(b"POST /echo HTTP/1.1\r\nhost: soak\r\ncontent-length: %d\r\n\r\n" % (args.request_kb * 1024 + 1))
            status = final_status(read_all(s))
        finally:
            s.close()
        return status == 413, f"status {status}"
    if name == "oversize-chunked":
        s = connect(addr)
        try:
            chunk = b"x" * 16384
            s.sendall(b"POST /echo HTTP/1.1\r\nhost: soak\r\ntransfer-encoding: chunked\r\n\r\n")
            status = None
            try:
                for _ in range(args.request_kb // 16 + 2):
                    s.sendall(b"4000\r\n" + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            status = final_status(read_all(s))
        finally:
            s.close()
        return status == 413, f"status {status}"
    if name == "sleep":
        status = request(addr, b"GET /sleep?ms=20000 HTTP/1.1")
        return status == 504, f"status {status}"
    if name == "loop":
        status = request(addr, b"GET /loop HTTP/1.1")
        return status == 504, f"status {status}"
    if name == "panic":
        status = request(addr, b"GET /panic HTTP/1.1")
        return status == 500, f"status {status}"
    if name == "half-close":
        s = connect(addr)
        try:
            s.sendall(b"GET /spin?ms=20 HTTP/1.1\r\nhost: soak\r\n\r\n")
            s.shutdown(socket.SHUT_WR)
            status = final_status(read_all(s))
        finally:
            s.close()
        return status == 200, f"status {status}"
    if name == "abandon":
        s = connect(addr)
        s.sendall(b"GET /sleep?ms=20000 HTTP/1.1\r\nhost: soak\r\n\r\n")
        time.sleep(0.2)
        s.close()
        return True, ""
    raise ValueError(name)


def worker(addr, args, stats, stop):
    names = [n for n, _ in SCENARIOS]
    weights = [w for _, w in SCENARIOS]
    while not stop.is_set():
        name = random.choices(names, weights)[0]
        started = time.monotonic()
        try:
            ok, detail = run(name, addr, args)
        except OSError as e:
            ok, detail = False, repr(e)
        stats.record(name, ok, time.monotonic() - started, detail)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--request-kb", type=int, default=64)
    parser.add_argument("--sample", type=int, default=30, help="seconds between RSS samples")
    args = parser.parse_args()
    addr = ("127.0.0.1", args.port)
    stats = Stats()
    stop = threading.Event()
    threads = [threading.Thread(target=worker, args=(addr, args, stats, stop), daemon=True) for _ in range(args.workers)]
    rss = [(0, rss_kib(args.pid))]
    started = time.monotonic()
    for t in threads:
        t.start()
    while time.monotonic() - started < args.seconds:
        time.sleep(min(args.sample, max(0.1, args.seconds - (time.monotonic() - started))))
        rss.append((round(time.monotonic() - started), rss_kib(args.pid)))
    stop.set()
    for t in threads:
        t.join(timeout=60)
    # The server must still answer afterwards.
    after = request(addr, b"GET /ok HTTP/1.1")
    total = sum(stats.count.values())
    errors = sum(stats.errors.values())
    normal = stats.latency.get("ok", []) + stats.latency.get("echo", [])
    print(f"## Soak: {args.seconds} s, {args.workers} clients, {total} requests, {errors} errors; afterwards GET /ok -> {after}\n")
    print("| scenario | requests | errors | p50 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, _ in SCENARIOS:
        lat = stats.latency.get(name, [])
        print(f"| {name} | {stats.count.get(name, 0)} | {stats.errors.get(name, 0)} | "
              f"{percentile(lat, 50) * 1000:.1f} | {percentile(lat, 99) * 1000:.1f} | {max(lat, default=0) * 1000:.1f} |")
    print(f"\nNormal requests (ok + echo): {len(normal)}, p50 {percentile(normal, 50) * 1000:.2f} ms, "
          f"p99 {percentile(normal, 99) * 1000:.2f} ms, max {max(normal, default=0) * 1000:.1f} ms\n")
    print("RSS of serve (s: MiB): " + ", ".join(f"{t}: {kib / 1024:.0f}" for t, kib in rss))
    if stats.error_samples:
        print("\nFirst errors:")
        for sample in stats.error_samples:
            print(f"- {sample}")
    return 0 if errors == 0 and after == 200 else 1


if __name__ == "__main__":
    raise SystemExit(main())
