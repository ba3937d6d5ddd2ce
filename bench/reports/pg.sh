#!/usr/bin/env bash
# Times `tutti report data-return` with the release binary on PostgreSQL for a national-sized
# demo hub (1,000,000 pupils by default); issue 20's target is under 60 seconds. Seeds the demo
# without its lesson calendar into a new database, times the return for this academic year (to
# date) and last year as JSON, both the command's own figure and the process's wall time, then
# drops the database.
# Usage: bench/reports/pg.sh [--pupils 1000000] [--repeats 2] [--keep]
# Needs: createdb/dropdb and a PostgreSQL server at $PGHOST (127.0.0.1) as $PGUSER (postgres).
set -euo pipefail
cd "$(dirname "$0")/../.."
PUPILS=1000000
REPEATS=2
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --pupils) PUPILS="$2"; shift 2 ;;
    --repeats) REPEATS="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
export PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-postgres}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/tutti-target}"
# The same build as run.sh's (the dashboard's drawer beside the binary), so that neither script
# rebuilds what the other built with other features.
cargo build --release -p tutti -p tutti-web --bin tutti --example dashboard_page >/dev/null
BIN="$CARGO_TARGET_DIR/release/tutti"
DB="tutti_return_$$"
URL="postgres://$PGUSER@$PGHOST:5432/$DB"
createdb "$DB"
if [ "$KEEP" = 0 ]; then trap 'dropdb --if-exists "$DB"' EXIT; else echo "keeping $URL"; fi

start=$(date +%s)
# Without the lesson calendar: the return never reads dated lessons or registers, and a million
# pupils' calendar (some 33 million lessons) would take hours to write.
"$BIN" demo --database-url "$URL" --pupils "$PUPILS" --without-calendar >/dev/null
echo "postgres demo of $PUPILS pupils seeded in $(( $(date +%s) - start )) s"

year=$(date +%Y); [ "$(date +%-m)" -lt 9 ] && year=$((year - 1))
this="$year-$(printf %02d $(( (year + 1) % 100 )))"
last="$((year - 1))-$(printf %02d $(( year % 100 )))"
for y in "$this" "$last"; do
  for i in $(seq "$REPEATS"); do
    t0=$(date +%s.%N)
    # The command says how long it took only when it writes a file.
    "$BIN" report data-return --database-url "$URL" --year "$y" --format json \
      --output "/tmp/return.$$.json" 2>"/tmp/return.$$.log"
    t1=$(date +%s.%N)
    ms=$(sed -n 's/.*(\([0-9]*\) ms).*/\1/p' "/tmp/return.$$.log" | tail -n 1)
    printf 'postgres %s pupils %s json run %s: %s ms (process %.1f s)\n' "$PUPILS" "$y" "$i" "$ms" "$(echo "$t1 - $t0" | bc)"
  done
done
rm -f "/tmp/return.$$.log" "/tmp/return.$$.json"
