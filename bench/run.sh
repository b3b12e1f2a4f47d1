#!/usr/bin/env bash
# The benchmark suite of BENCHMARKS.md, in one run: builds what it needs, runs the criterion benches
# (per-invocation cost vs bare wasmtime vs native, host-call round trip, cold load), the CLI `bench` on one
# and two threads, `serve` against `wasmtime serve` under wrk on 127.0.0.1, and the guest sizes, then
# prints one markdown report (also written to target/bench-report/report.md).
#
#   bench/run.sh                 # everything (~10 minutes on 2 cores, plus a wasmtime-cli install if absent)
#   WRK_DURATION=5s bench/run.sh # shorter load tests
#
# Environment: WASMTIME (path of a wasmtime 48.0.8 CLI; default: on PATH if it is 48.0.8, else installed
# with cargo into target/bench-tools), PORT_BASE (default 18080), WRK_DURATION (default 10s).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/target/bench-report
mkdir -p "$OUT"
rm -f "$OUT"/*.txt
PORT_BASE=${PORT_BASE:-18080}
WRK_DURATION=${WRK_DURATION:-10s}
WASMTIME_VERSION=48.0.8
GUESTS=$ROOT/target/wasm-guests/wasm32-wasip2
CLI=$ROOT/target/release/momento-functions-test-host
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

log() { echo "== $*" >&2; }
record() { echo "$1=$2" >>"$OUT/results.txt"; }

# ---- tools --------------------------------------------------------------------------------------------
for tool in wrk curl python3; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required (apt-get install $tool)" >&2; exit 1; }
done
if [[ -z "${WASMTIME:-}" ]]; then
    if command -v wasmtime >/dev/null && wasmtime --version | grep -q " $WASMTIME_VERSION"; then
        WASMTIME=$(command -v wasmtime)
    else
        WASMTIME=$ROOT/target/bench-tools/bin/wasmtime
        if [[ ! -x "$WASMTIME" ]]; then
            log "installing wasmtime-cli $WASMTIME_VERSION (takes ~15 minutes)"
            cargo install wasmtime-cli --version "$WASMTIME_VERSION" --locked --root "$ROOT/target/bench-tools"
        fi
    fi
fi
"$WASMTIME" --version | grep -q " $WASMTIME_VERSION" || { echo "error: $WASMTIME is not wasmtime $WASMTIME_VERSION" >&2; exit 1; }

# ---- builds -------------------------------------------------------------------------------------------
log "building the CLI (release) and the guests"
cargo build --release -q -p momento-functions-test-host
cargo build --release -q --target wasm32-wasip2 --target-dir target/wasm-guests \
    -p example-echo -p example-greeter -p test-guest-bench-guest
cargo build --profile release-small -q --target wasm32-wasip2 --target-dir target/wasm-guests \
    -p example-echo -p example-greeter
cargo build --release -q --target wasm32-wasip2 --manifest-path bench/peer-hello/Cargo.toml \
    --target-dir target/peer-hello
ECHO=$GUESTS/release/example_echo.wasm
GREETER=$GUESTS/release/example_greeter.wasm
BENCH_GUEST=$GUESTS/release/test_guest_bench_guest.wasm
PEER=$ROOT/target/peer-hello/wasm32-wasip2/release/peer_wasi_http_hello.wasm

# ---- machine ------------------------------------------------------------------------------------------
{
    echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "nproc=$(nproc)"
    echo "kernel=$(uname -r)"
    echo "rustc=$(rustc --version)"
    echo "date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"

# ---- sizes --------------------------------------------------------------------------------------------
for name in example_echo example_greeter; do
    record "size_release_$name" "$(stat -c %s "$GUESTS/release/$name.wasm")"
    record "size_small_$name" "$(stat -c %s "$GUESTS/release-small/$name.wasm")"
done
record size_peer "$(stat -c %s "$PEER")"

# ---- criterion ----------------------------------------------------------------------------------------
log "criterion: invoke (echo, greeter, cache gets) and load"
rm -rf target/criterion/echo target/criterion/greeter_json target/criterion/cache_gets \
    target/criterion/load_echo target/criterion/load_greeter
cargo bench -q -p momento-functions-test-host --bench invoke 2>&1 | grep -E '^[a-z_]+/|time:' >"$OUT/criterion-invoke.txt" || true
echo "load_after_invoke=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
cargo bench -q -p momento-functions-test-host --bench load 2>&1 | grep -E '^[a-z_]+/|time:' >"$OUT/criterion-load.txt" || true

# ---- CLI bench: one and two threads -------------------------------------------------------------------
log "CLI bench, 1 and 2 threads"
SEED=$OUT/bench-guest-fixtures.toml
: >"$SEED"
for i in $(seq 0 15); do
    printf '[[cache.items]]\nkey = "bench-key-%d"\nvalue = "%s"\n' "$i" "$(printf 'v%.0s' $(seq 64))" >>"$SEED"
done
cli_bench() { # label, iterations, args...
    local label=$1 n=$2; shift 2
    for threads in 1 2; do
        "$CLI" bench "$@" -n "$n" --threads "$threads" --compare-bare \
            >"$OUT/cli-$label-t$threads.txt" 2>"$OUT/cli-$label-t$threads.err"
    done
}
head -c 65536 /dev/zero | tr '\0' x >"$OUT/body-64k"
head -c 1048576 /dev/zero | tr '\0' x >"$OUT/body-1m"
cli_bench echo64 20000 "$ECHO" --data "$(head -c 64 /dev/zero | tr '\0' x)"
cli_bench echo64k 5000 "$ECHO" --data-file "$OUT/body-64k"
cli_bench echo1m 1000 "$ECHO" --data-file "$OUT/body-1m"
cli_bench greeter 20000 "$GREETER" --env GREETING=Hi -H 'content-type: application/json' --data '{"name":"Ada"}'
cli_bench gets10 20000 "$BENCH_GUEST" --fixtures "$SEED" --data 10
cli_bench gets0 10000 "$BENCH_GUEST" --fixtures "$SEED" --data 0
cli_bench gets1000 1000 "$BENCH_GUEST" --fixtures "$SEED" --data 1000

# ---- serve vs wasmtime serve --------------------------------------------------------------------------
wait_http() { # url
    for _ in $(seq 200); do
        curl -s -o /dev/null "$1" && return 0
        sleep 0.05
    done
    echo "error: nothing answers at $1" >&2
    return 1
}
run_wrk() { # label, url, [lua script]
    local label=$1 url=$2 script=${3:-}
    if [[ -n "$script" ]]; then
        wrk -t2 -c32 -d"$WRK_DURATION" --latency -s "$script" "$url" >"$OUT/wrk-$label.txt"
    else
        wrk -t2 -c32 -d"$WRK_DURATION" --latency "$url" >"$OUT/wrk-$label.txt"
    fi
}
POST_LUA=$OUT/post-hello.lua
printf 'wrk.method = "POST"\nwrk.body = "hello"\n' >"$POST_LUA"

for threads in 1 2; do
    log "serve --threads $threads (echo), wrk"
    port=$((PORT_BASE + threads))
    "$CLI" serve "$ECHO" --addr "127.0.0.1:$port" --threads "$threads" -q 2>/dev/null &
    pid=$!
    PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/"
    run_wrk "serve-t$threads" "http://127.0.0.1:$port/" "$POST_LUA"
    kill "$pid"; wait "$pid" 2>/dev/null || true
done

POOLING="pooling-allocator=y,pooling-memory-keep-resident=4194304,pooling-table-keep-resident=65536,pooling-pagemap-scan=auto"
peer() { # label, -O options
    local label=$1 opts=$2 port=$((PORT_BASE + 9))
    log "wasmtime serve ($label), wrk"
    "$WASMTIME" serve -S cli ${opts:+-O "$opts"} --addr "127.0.0.1:$port" "$PEER" 2>/dev/null &
    local pid=$!
    PIDS+=("$pid")
    wait_http "http://127.0.0.1:$port/"
    run_wrk "peer-$label" "http://127.0.0.1:$port/"
    kill "$pid"; wait "$pid" 2>/dev/null || true
}
peer default ""
peer pooling "$POOLING"

echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"

# ---- report -------------------------------------------------------------------------------------------
python3 bench/report.py "$OUT" "$ROOT/target/criterion" | tee "$OUT/report.md"
