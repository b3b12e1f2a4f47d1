#!/usr/bin/env bash
# A soak of `serve` (not part of CI): 10 minutes of mixed good and hostile traffic on 127.0.0.1 — normal
# requests, stalled and oversize bodies, sleeping and looping guests, panics, half-closes, abandoned
# requests — against the test programs, reporting requests and errors per kind, latency percentiles and the
# server's RSS over time (bench/soak.py). Exits non-zero if any request got an unexpected answer.
#
#   bench/soak.sh                      # 600 s, 16 clients
#   SOAK_SECONDS=60 bench/soak.sh      # a short run
#
# Environment: SOAK_SECONDS (600), SOAK_WORKERS (16), PORT (18199), PROFILE (release; `dev` uses the debug
# build). The report is also written to target/soak/report.md, serve's stderr to target/soak/serve.log.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OUT=$ROOT/target/soak
mkdir -p "$OUT"
SECONDS_TOTAL=${SOAK_SECONDS:-600}
WORKERS=${SOAK_WORKERS:-16}
PORT=${PORT:-18199}
PROFILE=${PROFILE:-release}
REQUEST_KB=64

command -v python3 >/dev/null || { echo "error: python3 is required" >&2; exit 1; }
if [[ "$PROFILE" == release ]]; then
    cargo build --release -q -p momento-functions-test-host
    CLI=$ROOT/target/release/momento-functions-test-host
else
    cargo build -q -p momento-functions-test-host
    CLI=$ROOT/target/debug/momento-functions-test-host
fi
cargo build --release -q --target wasm32-wasip2 --target-dir target/wasm-guests -p momento-functions-test-programs
WASM=$ROOT/target/wasm-guests/wasm32-wasip2/release/momento_functions_test_programs.wasm

# Short deadline and body timeout so that the hostile kinds finish within the run; access log on (to a file).
"$CLI" serve "$WASM" --addr "127.0.0.1:$PORT" --deadline-ms 1000 --body-timeout-ms 2000 \
    --request-size "${REQUEST_KB}KiB" --memory 64MiB 2>"$OUT/serve.log" &
SERVE=$!
trap 'kill $SERVE 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    grep -q "serving " "$OUT/serve.log" 2>/dev/null && break
    sleep 0.1
done
grep -q "serving " "$OUT/serve.log" || { cat "$OUT/serve.log" >&2; exit 1; }

set +e
python3 "$ROOT/bench/soak.py" --port "$PORT" --pid "$SERVE" --seconds "$SECONDS_TOTAL" \
    --workers "$WORKERS" --request-kb "$REQUEST_KB" | tee "$OUT/report.md"
status=${PIPESTATUS[0]}
set -e
kill -INT "$SERVE"
wait "$SERVE" || true
{
    echo
    echo "serve's log: $(grep -c '' "$OUT/serve.log") lines; cancelled invocations: $(grep -c ' 499 .*cancelled' "$OUT/serve.log"); host panics: $(grep -c "thread 'momento-" "$OUT/serve.log" || true)"
} | tee -a "$OUT/report.md"
exit "$status"
