#!/bin/sh
# Requests per second and p99 latency of Tutti's home page and a content page, served by
# `tutti serve` (release build, Durham-sized demo), beside nginx serving static copies of
# the same pages on the same machine. Load from wrk (Debian: apt-get install wrk nginx).
# Usage: bench/site/run.sh [seconds] [connections]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-10}
conns=${2:-64}
threads=2
target=${CARGO_TARGET_DIR:-$root/target}
if [ -z "${TUTTI_BIN:-}" ]; then
  (cd "$root" && cargo build --release -q -p tutti)
  TUTTI_BIN="$target/release/tutti"
fi
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y wrk nginx curl)"; exit 2; }
done
NGINX=$(command -v nginx)

work=$(mktemp -d)
# nginx workers run as an unprivileged user when started as root: they must read the copies.
chmod 755 "$work"
tutti_pid=""
nginx_pid=""
cleanup() {
  [ -n "$tutti_pid" ] && kill "$tutti_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

tport=$(free_port)
"$TUTTI_BIN" serve --demo --data-dir "$work/data" --bind "127.0.0.1:$tport" >"$work/tutti.log" 2>&1 &
tutti_pid=$!
i=0
until curl -fs "http://127.0.0.1:$tport/healthz" >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -gt 600 ] && { echo "tutti did not start"; cat "$work/tutti.log"; exit 1; }
  sleep 0.2
done

# Static copies of exactly what an anonymous visitor receives.
mkdir -p "$work/www/learning" "$work/tmp"
curl -fs "http://127.0.0.1:$tport/" -o "$work/www/index.html"
curl -fs "http://127.0.0.1:$tport/learning/prices" -o "$work/www/learning/prices.html"
nport=$(free_port)
sed -e "s|@DIR@|$work|g" -e "s|@PORT@|$nport|g" "$here/nginx.conf.in" >"$work/nginx.conf"
"$NGINX" -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
sleep 0.5
curl -fs "http://127.0.0.1:$nport/learning/prices" >/dev/null || { echo "nginx did not start"; cat "$work/nginx-error.log"; exit 1; }

# Runs wrk and prints "requests_per_second p99_ms".
measure() {
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency "$1" >"$work/wrk.out" 2>&1
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$work/wrk.out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk.out")
  [ -n "$errors" ] && echo "  note: $errors" >&2
  echo "$rps $p99"
}

echo "Tutti $(basename "$TUTTI_BIN") vs nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'); wrk -t$threads -c$conns -d${seconds}s; $(nproc) CPUs"
printf '%-16s %12s %10s %12s %10s %8s\n' page "tutti rps" "p99 ms" "nginx rps" "p99 ms" ratio
for page in / /learning/prices; do
  # A short warm-up fills caches on both sides.
  wrk -t1 -c4 -d1s "http://127.0.0.1:$tport$page" >/dev/null 2>&1
  set -- $(measure "http://127.0.0.1:$tport$page"); t_rps=$1; t_p99=$2
  wrk -t1 -c4 -d1s "http://127.0.0.1:$nport$page" >/dev/null 2>&1
  set -- $(measure "http://127.0.0.1:$nport$page"); n_rps=$1; n_p99=$2
  ratio=$(awk -v a="$t_rps" -v b="$n_rps" 'BEGIN { printf "%.2f", a / b }')
  printf '%-16s %12s %10s %12s %10s %8s\n' "$page" "$t_rps" "$t_p99" "$n_rps" "$n_p99" "$ratio"
done
echo "ratio = tutti rps / nginx rps; the target is at least 0.50."
