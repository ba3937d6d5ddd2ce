#!/usr/bin/env bash
# Measures issue 2's targets on a Durham-sized demo database (SQLite by default):
#   - time from starting `tutti serve` until GET /healthz answers 200 (target: under 1 s);
#   - the server's resident memory after serving pages to every role (target: under 100 MB).
# Usage: bench/platform/startup.sh [--database-url URL]   (builds the release binary first)
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/cache/tutti-target}"
cargo build --release -p tutti >/dev/null
BIN="$CARGO_TARGET_DIR/release/tutti"
WORK=$(mktemp -d)
trap 'kill "${PID:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
DB_ARGS=(--data-dir "$WORK/data")
if [ "${1:-}" = "--database-url" ]; then DB_ARGS=(--database-url "$2"); fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

echo "Seeding a Durham-sized demo hub..."
"$BIN" demo "${DB_ARGS[@]}" >"$WORK/demo.log"
head -n 1 "$WORK/demo.log"

start=$(date +%s.%N)
"$BIN" serve "${DB_ARGS[@]}" --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
PID=$!
until curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz"; do sleep 0.01; done
ready=$(date +%s.%N)
printf 'healthz answered 200 after %.3f s (target < 1 s)\n' "$(echo "$ready - $start" | bc)"

# Serve every role's dashboard and the public pages for a while.
for who in admin manager teacher parent school pupil; do
  jar="$WORK/$who.jar"
  token=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" --data-urlencode "email=$who@demo.test" \
    --data-urlencode "password=demo-password" "http://127.0.0.1:$PORT/login"
  for _ in $(seq 1 50); do
    curl -fs -o /dev/null -b "$jar" "http://127.0.0.1:$PORT/account"
    curl -fs -o /dev/null "http://127.0.0.1:$PORT/"
  done
done
curl -fs -o /dev/null -b "$WORK/admin.jar" "http://127.0.0.1:$PORT/admin/users?q=demo"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$PID/status")
printf 'resident memory after 600 page views: %.1f MB (peak %.1f MB; target < 100 MB)\n' "$(echo "$rss/1024" | bc -l)" "$(echo "$hwm/1024" | bc -l)"
