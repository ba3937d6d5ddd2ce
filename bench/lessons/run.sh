#!/bin/sh
# Requests per second and p99 latency of the teacher's day page (GET) and the register post
# (POST marking a pupil present, with the session's CSRF token), logged in as the demo
# teacher on the Durham-sized demo, beside two ceilings measured in the same run: nginx
# serving a static copy of the same page, and the bare program (crates/web/examples/bare_day.rs)
# serving the page from the same store query and template with no framework, session,
# authorization or audit. Load from wrk (Debian: apt-get install wrk nginx curl).
# Usage: bench/lessons/run.sh [seconds] [connections]
#   PROFILE=debug to measure a debug build (for checking the script; figures mean nothing);
#   TUTTI_BIN and BARE_BIN to use binaries already built; DATA_DIR to keep the seeded demo
#   between runs (a second start seeds nothing).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-10}
conns=${2:-50}
threads=2
profile=${PROFILE:-release}
target=${CARGO_TARGET_DIR:-$root/target}
flag=""
[ "$profile" = release ] && flag="--release"
if [ -z "${TUTTI_BIN:-}" ]; then
  (cd "$root" && cargo build $flag -q -p tutti)
  TUTTI_BIN="$target/$profile/tutti"
fi
if [ -z "${BARE_BIN:-}" ]; then
  (cd "$root" && cargo build $flag -q -p tutti-web --example bare_day)
  BARE_BIN="$target/$profile/examples/bare_day"
fi
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install -y wrk nginx curl python3)"; exit 2; }
done
NGINX=$(command -v nginx)

work=$(mktemp -d)
# nginx workers run as an unprivileged user when started as root: they must read the copy.
chmod 755 "$work"
tutti_pid=""
bare_pid=""
nginx_pid=""
cleanup() {
  [ -n "$tutti_pid" ] && kill "$tutti_pid" 2>/dev/null || true
  [ -n "$bare_pid" ] && kill "$bare_pid" 2>/dev/null || true
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {
  i=0
  until curl -fs "$1" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -gt 3000 ] && { echo "$2 did not start"; cat "$work/$2.log" 2>/dev/null; exit 1; }
    sleep 0.2
  done
}

# Tutti seeds the Durham-sized demo on its first start.
data=${DATA_DIR:-$work/data}
tport=$(free_port)
"$TUTTI_BIN" serve --demo --data-dir "$data" --bind "127.0.0.1:$tport" >"$work/tutti.log" 2>&1 &
tutti_pid=$!
wait_for "http://127.0.0.1:$tport/healthz" tutti

mkdir -p "$work/www" "$work/tmp"
found=$(python3 "$here/prepare.py" "http://127.0.0.1:$tport" teacher@demo.test demo-password "$work/www/day.html") || exit 1
eval "$found"
day="/teacher/day?date=$date"
mark="/teacher/lessons/$lesson/mark"
MARK_BODY="csrf_token=$csrf&pupil=$pupil&mark=present&date=$date"
export MARK_BODY

# The bare program reads the same database file.
bport=$(free_port)
"$BARE_BIN" "sqlite://$data/tutti.db" "127.0.0.1:$bport" teacher@demo.test >"$work/bare.log" 2>&1 &
bare_pid=$!
wait_for "http://127.0.0.1:$bport$day" bare

nport=$(free_port)
sed -e "s|@DIR@|$work|g" -e "s|@PORT@|$nport|g" "$here/nginx.conf.in" >"$work/nginx.conf"
"$NGINX" -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!
wait_for "http://127.0.0.1:$nport$day" nginx

# The three serve the same page: the sizes differ only by the CSRF token's absence, if at all.
t_size=$(curl -fs -H "Cookie: $cookie" "http://127.0.0.1:$tport$day" | wc -c)
b_size=$(curl -fs "http://127.0.0.1:$bport$day" | wc -c)
n_size=$(curl -fs "http://127.0.0.1:$nport$day" | wc -c)

# Runs wrk and prints "requests_per_second p99_ms"; extra arguments go to wrk.
measure() {
  url=$1; shift
  wrk -t1 -c4 -d1s "$@" "$url" >/dev/null 2>&1
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency "$@" "$url" >"$work/wrk.out" 2>&1
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v=v*1000}; print v}' "$work/wrk.out")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk.out")
  [ -n "$errors" ] && echo "  note ($url): $errors" >&2
  echo "$rps $p99"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "Tutti $profile ($(basename "$TUTTI_BIN")) vs bare program vs nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'); wrk -t$threads -c$conns -d${seconds}s; $(nproc) CPUs"
echo "Teacher's day $date: $lessons lessons; page bytes tutti $t_size, bare $b_size, nginx $n_size"
set -- $(measure "http://127.0.0.1:$tport$day" -H "Cookie: $cookie"); t_rps=$1; t_p99=$2
set -- $(measure "http://127.0.0.1:$bport$day"); b_rps=$1; b_p99=$2
set -- $(measure "http://127.0.0.1:$nport$day"); n_rps=$1; n_p99=$2
set -- $(measure "http://127.0.0.1:$tport$mark" -H "Cookie: $cookie" -s "$here/post.lua"); tp_rps=$1; tp_p99=$2
set -- $(measure "http://127.0.0.1:$bport$mark" -s "$here/post.lua"); bp_rps=$1; bp_p99=$2

printf '%-22s %10s %8s %10s %8s %10s %8s %12s %12s\n' "" "tutti rps" "p99 ms" "bare rps" "p99 ms" "nginx rps" "p99 ms" "tutti/bare" "tutti/nginx"
printf '%-22s %10s %8s %10s %8s %10s %8s %12s %12s\n' "GET day page" "$t_rps" "$t_p99" "$b_rps" "$b_p99" "$n_rps" "$n_p99" "$(ratio "$t_rps" "$b_rps")" "$(ratio "$t_rps" "$n_rps")"
printf '%-22s %10s %8s %10s %8s %10s %8s %12s %12s\n' "POST register mark" "$tp_rps" "$tp_p99" "$bp_rps" "$bp_p99" "-" "-" "$(ratio "$tp_rps" "$bp_rps")" "-"
echo "Targets (issue 4): the day page at 0.80 or more of the bare program's rps; p99 under 20 ms at 50 connections."
