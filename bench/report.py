#!/usr/bin/env python3
"""Turn one run of bench/run.sh (target/bench-report) and criterion's estimates into the markdown report
of BENCHMARKS.md. Usage: report.py OUT_DIR CRITERION_DIR"""

import json
import os
import re
import sys

out, crit = sys.argv[1], sys.argv[2]


def kv(name):
    values = {}
    path = os.path.join(out, name)
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                values[k] = v
    return values


def median_ns(*parts):
    path = os.path.join(crit, *parts, "new", "estimates.json")
    try:
        return json.load(open(path))["median"]["point_estimate"]
    except OSError:
        return None


def t(ns):
    if ns is None:
        return "–"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


machine = kv("machine.txt")
results = kv("results.txt")

print("### Machine\n")
print(f"- CPU: {machine.get('cpu')} ({machine.get('nproc')} cores as `nproc` sees them)")
print(f"- kernel {machine.get('kernel')}, {machine.get('rustc')}, run at {machine.get('date')}")
print(
    f"- load average (1/5/15 min): start {machine.get('load_start')}, after the invoke bench "
    f"{machine.get('load_after_invoke')}, end {machine.get('load_end')}"
)

def cli(name, threads=1):
    """(median, p99, throughput, bare median, interleaved host median, ratio, bare throughput) of a CLI run."""
    path = os.path.join(out, f"cli-{name}-t{threads}.txt")
    if not os.path.exists(path):
        return None
    text = open(path).read()
    err = open(os.path.join(out, f"cli-{name}-t{threads}.err")).read()
    num = lambda key: float((re.search(rf"^{key}: ([0-9.]+)", text, re.M) or [None, "nan"])[1])
    inter = re.search(r"test host median (\d+) ns, bare (\d+) ns", err)
    return {
        "median": num("median"),
        "p99": num("p99"),
        "throughput": num("throughput"),
        "bare": num("bare wasmtime median"),
        "host_inter": float(inter.group(1)) if inter else None,
        "ratio": num("ratio to bare"),
        "bare_throughput": num("bare wasmtime throughput"),
    }


print("\n### Per-invocation cost, fresh instance + call, one thread\n")
print(
    "Host and bare medians from the CLI `bench --compare-bare` (the two interleaved invocation by invocation, "
    "so both see the same machine); native and the criterion medians (host and bare measured one after the "
    "other) from `cargo bench --bench invoke`.\n"
)
print(
    "| case | test host | bare wasmtime | **host / bare** | native Rust | host / native | "
    "criterion: host | criterion: bare | criterion: host / bare |"
)
print("|---|---|---|---|---|---|---|---|---|")
rows = [
    ("echo 64 B", "echo64", ("echo", "{}", "64B")),
    ("echo 64 KiB", "echo64k", ("echo", "{}", "64KiB")),
    ("echo 1 MiB", "echo1m", ("echo", "{}", "1MiB")),
    ("greeter, typed JSON POST", "greeter", ("greeter_json", "{}")),
    ("10 cache gets", "gets10", ("cache_gets", "{}", "10")),
    ("0 cache gets (bench-guest baseline)", "gets0", ("cache_gets", "{}", "0")),
    ("1000 cache gets", "gets1000", ("cache_gets", "{}", "1000")),
]
m = {}
c = {}
for label, name, parts in rows:
    vals = [median_ns(*[p.format(kind) for p in parts]) for kind in ("test_host", "bare_wasmtime", "native")]
    m[label] = vals
    host, bare, native = vals
    r = cli(name)
    c[label] = r
    if r:
        print(
            f"| {label} | {t(r['host_inter'])} | {t(r['bare'])} | **{ratio(r['host_inter'], r['bare'])}** | "
            f"{t(native)} | {ratio(r['host_inter'], native)} | {t(host)} | {t(bare)} | {ratio(host, bare)} |"
        )

rt = lambda a, b: None if a is None or b is None else (a - b) / 1000
print("\n### Host-call round trip (guest → host → guest), small cache get (64-byte value)\n")
print("`(t(1000 gets) − t(0 gets)) / 1000`:\n")
print("| source | test host | bare wasmtime | native (`HashMap` get + clone under a mutex) |")
print("|---|---|---|---|")
h0, b0, n0 = m["0 cache gets (bench-guest baseline)"]
h1, b1, n1 = m["1000 cache gets"]
print(f"| criterion | {t(rt(h1, h0))} | {t(rt(b1, b0))} | {t(rt(n1, n0))} |")
c0, c1 = c.get("0 cache gets (bench-guest baseline)"), c.get("1000 cache gets")
if c0 and c1:
    print(
        f"| CLI, interleaved | {t(rt(c1['host_inter'], c0['host_inter']))} | {t(rt(c1['bare'], c0['bare']))} | – |"
    )

print("\n### CLI `bench`: 1 and 2 threads at once (each thread runs the iterations)\n")
print("| function | threads | median | p99 | invocations/s (host alone) | host / bare (interleaved) | bare invocations/s |")
print("|---|---|---|---|---|---|---|")
speedups = []
for label, name, _ in rows:
    thr = {}
    for threads in (1, 2):
        r = cli(name, threads)
        if not r:
            continue
        thr[threads] = r["throughput"]
        bt = r["bare_throughput"]
        print(
            f"| {label} | {threads} | {t(r['median'])} | {t(r['p99'])} | {r['throughput']:,.0f} | "
            f"{r['ratio']:.2f}× | {'–' if bt != bt else f'{bt:,.0f}'} |"
        )
    if 1 in thr and 2 in thr and thr[1]:
        speedups.append((label, thr[2] / thr[1]))
print()
for label, s_ in speedups:
    print(f"- {label}: 1 → 2 threads, invocations/s **{s_:.2f}×**")


def wrk(label):
    path = os.path.join(out, f"wrk-{label}.txt")
    if not os.path.exists(path):
        return None
    text = open(path).read()
    unit = {"us": 1e-3, "ms": 1.0, "s": 1e3}

    def lat(p):
        mm = re.search(rf"^\s+{p}%\s+([0-9.]+)(us|ms|s)", text, re.M)
        return float(mm.group(1)) * unit[mm.group(2)] if mm else None

    rps = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(rps.group(1)) if rps else None,
        "p50": lat(50),
        "p99": lat(99),
        "errors": errors.group(1) if errors else "0",
    }


print("\n### `serve` vs `wasmtime serve`, wrk -t2 -c32 --latency on 127.0.0.1 (wrk shares the cores)\n")
print("| server | requests/s | p50 | p99 | non-2xx |")
print("|---|---|---|---|---|")
servers = [
    ("test host `serve --threads 1`, echo POST \"hello\"", "serve-t1"),
    ("test host `serve --threads 2`, echo POST \"hello\"", "serve-t2"),
    ("`wasmtime serve -S cli` (defaults), wasi:http hello GET", "peer-default"),
    ("`wasmtime serve -S cli -O pooling…,keep-resident…,pagemap-scan`, hello GET", "peer-pooling"),
]
w = {}
for label, key in servers:
    r = wrk(key)
    w[key] = r
    if r:
        print(f"| {label} | {r['rps']:,.0f} | {r['p50']:.2f} ms | {r['p99']:.2f} ms | {r['errors']} |")
if w.get("serve-t1") and w.get("serve-t2"):
    print(f"\n- `serve` 1 → 2 threads: **{w['serve-t2']['rps'] / w['serve-t1']['rps']:.2f}×** requests/s")
if w.get("serve-t2") and w.get("peer-pooling"):
    ours, peer = w["serve-t2"], w["peer-pooling"]
    print(
        f"- `serve` (2 threads) vs tuned `wasmtime serve`: **{ours['rps'] / peer['rps']:.2f}×** requests/s, "
        f"p99 {ours['p99']:.2f} ms vs {peer['p99']:.2f} ms"
    )

print("\n### Guest sizes (wasm32-wasip2)\n")
print("| component | `--release` | `--profile release-small` |")
print("|---|---|---|")
for label, name in [("echo", "example_echo"), ("greeter", "example_greeter")]:
    a, b = results.get(f"size_release_{name}"), results.get(f"size_small_{name}")
    print(f"| {label} | {int(a):,} B | {int(b):,} B |")
print(f"| wasi:http hello (peer, s + lto + strip) | – | {int(results.get('size_peer', 0)):,} B |")

print("\n### Cold load: `TestHostBuilder::build_bytes` (engine, compile or cache read, checks, pre-link, trial instance)\n")
print("| component | compile | on-disk compile cache hit | speedup |")
print("|---|---|---|---|")
for name in ("echo", "greeter"):
    c, h = median_ns(f"load_{name}", "compile"), median_ns(f"load_{name}", "cache_hit")
    print(f"| {name} | {t(c)} | {t(h)} | {ratio(c, h)} |")
