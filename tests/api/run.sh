#!/bin/sh
# The API's contract checked from outside: schemathesis (from PyPI) runs every operation of
# the served /api/openapi.json with all its checks, as the office, a teacher and a parent.
# Needs: python3 and pip (schemathesis is installed into a virtual environment here).
# Usage: tests/api/run.sh [MAX_EXAMPLES]   (TUTTI_BIN names the binary; else a debug build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
if [ -z "${TUTTI_BIN:-}" ]; then
  (cd "$root" && cargo build -q -p tutti)
  TUTTI_BIN="$target/debug/tutti"
fi
venv="${SCHEMATHESIS_VENV:-$target/schemathesis-venv}"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet schemathesis
fi
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TUTTI_BIN" serve --demo --data-dir "$data" --bind "127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 1
done
status=0
for who in admin teacher parent; do
  token=$("$TUTTI_BIN" users token --email "$who@demo.test" --name schemathesis --data-dir "$data" 2>/dev/null)
  echo "== schemathesis as $who"
  "$venv/bin/st" run "http://127.0.0.1:$port/api/openapi.json" --checks all \
    -H "Authorization: Bearer $token" --max-examples "${1:-20}" || status=1
done
exit $status
