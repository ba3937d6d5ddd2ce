#!/usr/bin/env bash
# Times `tutti billing run` (rules included) with the release binary, issue 5's targets:
#   - a Durham-sized demo hub (10,000 pupils) on SQLite: under 200 ms;
#   - 1,000,000 enrolments on PostgreSQL: under 30 s.
# Each figure is a committed run of this academic year's autumn term on a hub with nothing
# billed yet (the billing tables are emptied between repeats), as the run itself reports it
# (reading, pricing and writing, inside its one transaction; not the process start). A second
# run (nothing new) and a dry run are timed too.
# Usage: bench/billing/run.sh [--backends "sqlite postgres"] [--pg-pupils 910000] [--repeats 3]
#   TUTTI_BIN=path to measure a binary already built instead of building one.
# PostgreSQL: 127.0.0.1:5432, user postgres, trust auth (override with TUTTI_BENCH_PG); a
# database is created for the run and dropped after. The demo gives about 1.1 enrolments a
# pupil, so 910,000 pupils is about 1,000,000 enrolments.
set -euo pipefail
cd "$(dirname "$0")/../.."
BACKENDS="sqlite postgres"
PG_PUPILS=910000
REPEATS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --backends) BACKENDS="$2"; shift 2 ;;
    --pg-pupils) PG_PUPILS="$2"; shift 2 ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
PG="${TUTTI_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/tutti-target}"
# TUTTI_BIN measures a binary already built (two builds side by side, say).
if [ -n "${TUTTI_BIN:-}" ]; then
  BIN="$TUTTI_BIN"
else
  cargo build --release -p tutti >/dev/null
  BIN="$CARGO_TARGET_DIR/release/tutti"
fi
WORK=$(mktemp -d)
PGDB=""
cleanup() {
  if [ -n "$PGDB" ]; then psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# This academic year's autumn term, the one the demo's enrolments start in.
year=$(date +%Y); [ "$(date +%-m)" -lt 9 ] && year=$((year - 1))
TERM_ID="$year-autumn"
RESET="DELETE FROM instalments; DELETE FROM invoice_lines; DELETE FROM agreement_invoice_lines; DELETE FROM invoices; DELETE FROM billing_runs;"

# The "(N ms)" the run prints on its last line.
run_ms() { sed -n 's/.*(\([0-9]*\) ms).*/\1/p' "$1" | tail -n 1; }

bench() {
  local backend=$1 db=$2 sql=$3
  "$BIN" billing run --term "$TERM_ID" --dry-run $db >/dev/null 2>"$WORK/dry.log"
  tail -n 1 "$WORK/dry.log"
  local times=()
  for i in $(seq 1 "$REPEATS"); do
    $sql "$RESET" >/dev/null
    "$BIN" billing run --term "$TERM_ID" $db >/dev/null 2>"$WORK/run.log"
    times+=("$(run_ms "$WORK/run.log")")
  done
  tail -n 1 "$WORK/run.log"
  "$BIN" billing run --term "$TERM_ID" $db >/dev/null 2>"$WORK/again.log"
  echo "$backend: committed run ${times[*]} ms (each from nothing billed); dry run $(run_ms "$WORK/dry.log") ms; second run (nothing new) $(run_ms "$WORK/again.log") ms"
}

for backend in $BACKENDS; do
  if [ "$backend" = sqlite ]; then
    echo "== sqlite, Durham-sized demo (10,000 pupils)"
    db="--data-dir $WORK/durham"
    "$BIN" demo $db >"$WORK/demo.log" 2>&1; head -n 1 "$WORK/demo.log"
    bench sqlite "$db" "sqlite3 $WORK/durham/tutti.db"
  else
    echo "== postgres, $PG_PUPILS pupils"
    PGDB="tutti_bench_billing"
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null
    psql "$PG/postgres" -qc "CREATE DATABASE $PGDB" >/dev/null
    db="--database-url $PG/$PGDB"
    start=$(date +%s)
    "$BIN" demo $db --pupils "$PG_PUPILS" --schools 20000 --teachers 13000 >"$WORK/demo.log" 2>&1
    head -n 1 "$WORK/demo.log"; echo "(seeded in $(( $(date +%s) - start )) s)"
    echo "enrolments: $(psql "$PG/$PGDB" -tAc "SELECT COUNT(*) FROM enrolments WHERE status = 'active'")"
    bench postgres "$db" "psql -q $PG/$PGDB -c"
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null; PGDB=""
  fi
done
