#!/usr/bin/env bash
# Measures issue 3's targets with the release binary:
#   - p50 and p95 of the admin pupil search page on demo hubs of 100,000 and 1,000,000 pupils,
#     on SQLite and on PostgreSQL (target: p95 under 50 ms at 1,000,000 on both);
#   - the time of `tutti import pupils` of a 10,000-row file into a Durham-sized demo hub
#     (target: under 2 s), then of the same file again (nothing changes) and as a dry run.
# Usage: bench/records/run.sh [--sizes "100000 1000000"] [--backends "sqlite postgres"]
# PostgreSQL: 127.0.0.1:5432, user postgres, trust auth (override with TUTTI_BENCH_PG);
# a database is created for each run and dropped after.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES="100000 1000000"
BACKENDS="sqlite postgres"
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) SIZES="$2"; shift 2 ;;
    --backends) BACKENDS="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
PG="${TUTTI_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/tutti-target}"
cargo build --release -p tutti >/dev/null
BIN="$CARGO_TARGET_DIR/release/tutti"
WORK=$(mktemp -d)
PGDB=""
cleanup() {
  kill "${PID:-0}" 2>/dev/null || true
  if [ -n "$PGDB" ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A fresh database for one run: the flag that names it (no spaces: mktemp's paths have none).
fresh_db() {
  local backend=$1 name=$2
  if [ "$backend" = postgres ]; then
    PGDB="tutti_bench_records_$name"
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null
    psql "$PG/postgres" -qc "CREATE DATABASE $PGDB" >/dev/null
    echo "--database-url $PG/$PGDB"
  else
    echo "--data-dir $WORK/$name"
  fi
}

drop_db() {
  if [ -n "$PGDB" ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null; PGDB=""; fi
  rm -rf "${WORK:?}"/[0-9a-z]*/ 2>/dev/null || true
}

python3 bench/records/gen_pupils.py 10000 >"$WORK/pupils.csv"

for backend in $BACKENDS; do
  echo "== $backend"
  db=$(fresh_db "$backend" durham)
  "$BIN" demo $db >"$WORK/demo.log"; head -n 1 "$WORK/demo.log"
  for run in "import" "again" "dry run"; do
    flag=""; [ "$run" = "dry run" ] && flag="--dry-run"
    start=$(date +%s.%N)
    out=$("$BIN" import $db pupils "$WORK/pupils.csv" $flag)
    end=$(date +%s.%N)
    printf '10,000-row pupil import (%s): %.2f s wall clock (target < 2 s): %s\n' "$run" "$(echo "$end - $start" | bc)" "$out"
  done
  drop_db
  for size in $SIZES; do
    db=$(fresh_db "$backend" "p$size")
    start=$(date +%s.%N)
    "$BIN" demo $db --pupils "$size" >"$WORK/demo.log"; head -n 1 "$WORK/demo.log"
    printf 'demo of %s pupils built in %.0f s\n' "$size" "$(echo "$(date +%s.%N) - $start" | bc)"
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$BIN" serve $db --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
    PID=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 0.05; done
    printf '%s pupils on %s: ' "$size" "$backend"
    python3 bench/records/search.py "http://127.0.0.1:$PORT" 400
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
    drop_db
  done
done
