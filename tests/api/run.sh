#!/bin/sh
# The API's contract checked from outside: schemathesis (from PyPI) runs every operation of
# the served /api/openapi.json with all its checks, as the office, a teacher and a parent,
# against a throwaway demo hub (its writes land there): a town-sized one (40 schools, 15
# teachers, 1,000 pupils), which seeds in seconds and on which the heaviest operation, a
# timetable proposal accepted for a whole term, stays well within the server's 30-second
# limit in a debug build. The run is deterministic: a fixed seed
# and no example database carried between runs. It prints, for each role, the operations and
# test cases run and the failures found, and fails if any role found one.
# Needs: python3 with venv and pip (schemathesis is installed into a virtual environment).
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
  "$venv/bin/pip" install --quiet "schemathesis>=4.3,<5"
fi
examples=${1:-${SCHEMATHESIS_MAX_EXAMPLES:-10}}
seed=${SCHEMATHESIS_SEED:-20261204}
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$TUTTI_BIN" demo --data-dir "$data" --schools 40 --teachers 15 --pupils 1000 >"$data/demo.log" 2>&1
"$TUTTI_BIN" serve --demo --data-dir "$data" --bind "127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 300); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 1
done
status=0
summary=""
# The office last: its run may erase people (privacy's erasure endpoints), the demo's teacher
# and parent among them, whose own runs must come first.
for who in teacher parent admin; do
  if ! token=$("$TUTTI_BIN" users token --email "$who@demo.test" --name "schemathesis $who" --data-dir "$data" 2>"$data/token.err"); then
    echo "could not make a token for $who@demo.test:" >&2
    cat "$data/token.err" >&2
    exit 1
  fi
  echo "== schemathesis as $who (seed $seed, at most $examples examples an operation)"
  log="$data/st-$who.log"
  started=$(date +%s)
  # A request may take up to the server's own limit of 30 seconds (a proposal accepted on
  # the whole demo hub, in a debug build); past it the server answers 408.
  # Run from the throwaway folder, where schemathesis keeps its cache.
  if (cd "$data" && "$venv/bin/st" run "http://127.0.0.1:$port/api/openapi.json" --checks all \
    -H "Authorization: Bearer $token" --max-examples "$examples" --seed "$seed" \
    --generation-database none --request-timeout 40 --no-color >"$log" 2>&1); then
    result=ok
  else
    result=FAILED
    status=1
  fi
  sed -n '/^=* \(ERRORS\|FAILURES\) =*$/,$p' "$log"
  operations=$(sed -n 's/^ *Tested: *\([0-9]*\).*/\1/p' "$log" | head -n 1)
  cases=$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$log" | head -n 1)
  failures=$(sed -n 's/^=* \([0-9]*\) failures\{0,1\}.*/\1/p' "$log" | tail -n 1)
  line="$who: ${operations:-?} operations, ${cases:-?} cases, ${failures:-0} failures ($result, $(($(date +%s) - started)) s)"
  echo "$line"
  summary="$summary$line
"
done
echo "== schemathesis summary"
printf '%s' "$summary"
exit $status
