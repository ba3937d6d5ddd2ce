#!/usr/bin/env bash
# Times `tutti report data-return` with the release binary on a Durham-sized demo hub
# (10,000 pupils, 350 schools, 150 teachers) on SQLite; issue 20's target is under 2 seconds
# for the whole return. The figure is the time the command itself reports for reading the
# year's facts and working out every figure (not the process start), for this academic year
# (to date) and last year, each as JSON and as a spreadsheet. Then the manager's dashboard
# (`/admin/dashboard`, issue 20's target under 200 ms): drawn from its store queries and
# template by crates/web/examples/dashboard_page.rs, as the page draws it, without HTTP.
# Usage: bench/reports/run.sh [--repeats 3]
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEATS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/tutti-target}"
# One build of both, so the features the binary's crates are built with are the same for both
# and nothing is built twice.
cargo build --release -p tutti -p tutti-web --bin tutti --example dashboard_page >/dev/null
BIN="$CARGO_TARGET_DIR/release/tutti"
DASHBOARD="$CARGO_TARGET_DIR/release/examples/dashboard_page"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" demo --data-dir "$WORK/hub" >/dev/null 2>&1
year=$(date +%Y); [ "$(date +%-m)" -lt 9 ] && year=$((year - 1))
this="$year-$(printf %02d $(( (year + 1) % 100 )))"
last="$((year - 1))-$(printf %02d $(( year % 100 )))"

for y in "$this" "$last"; do
  for format in json xlsx; do
    for i in $(seq "$REPEATS"); do
      "$BIN" report data-return --data-dir "$WORK/hub" --year "$y" --format "$format" \
        --output "$WORK/return.$format" 2>"$WORK/log"
      ms=$(sed -n 's/.*(\([0-9]*\) ms).*/\1/p' "$WORK/log" | tail -n 1)
      echo "sqlite durham $y $format run $i: $ms ms"
    done
  done
done

# The first draw warms SQLite's page cache, as a running server's would be.
# The last line names each section's query's own time.
"$DASHBOARD" "sqlite://$WORK/hub/tutti.db" manager@demo.test "$((REPEATS + 1))" | tail -n "$((REPEATS + 1))" |
  sed -e 's/^dashboard run \([0-9]*\): \([0-9]*\) ms.*/sqlite durham dashboard run \1: \2 ms/' \
    -e 's/^dashboard queries/sqlite durham dashboard queries/'
