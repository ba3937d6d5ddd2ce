#!/usr/bin/env bash
# Runs each cargo-fuzz target in fuzz/ for a set time and says what it found.
#
#   bench/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGETs default to all of them. Each target runs on
# its corpus, fuzz/corpus/<target> (the seed-* files are ours; files libFuzzer adds there
# are git-ignored), and a crash is saved under fuzz/artifacts/<target>/. Prints, per
# target, the seconds run, the executions and whether it crashed; exits 1 if any did.
#
# Environment:
#   CARGO_TARGET_DIR  where to build (default fuzz/target)
#   FUZZ_SANITIZER    address (the default, when the toolchain has the ASan runtime) or none
#   FUZZ_NICE         niceness of the build and the runs (default 15)
#   FUZZ_LOG_DIR      where each run's libFuzzer log goes (default bench/out/fuzz)
#
# cargo-fuzz passes nightly-only flags (-Zsanitizer, -Cpasses=sancov-module, ...) to rustc;
# the pinned toolchain is stable, so RUSTC_BOOTSTRAP=1 lets it accept them.
set -u -o pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 2

seconds="${1:-60}"
[ $# -gt 0 ] && shift
case "$seconds" in
'' | *[!0-9]*)
    echo "usage: bench/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
    ;;
esac
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=(csv_reader form_query charging_policy_json timetable_json markdown passkeys)
fi

export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/fuzz/target}"
nice_level="${FUZZ_NICE:-15}"
log_dir="${FUZZ_LOG_DIR:-$root/bench/out/fuzz}"
mkdir -p "$log_dir"

if ! command -v cargo-fuzz >/dev/null; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
    exit 2
fi
if [ -z "${FUZZ_SANITIZER:-}" ]; then
    # The stable toolchain ships the ASan runtime as librustc-stable_rt.asan.a (nightly
    # as librustc-nightly_rt.asan.a); without it, -Zsanitizer=address cannot link.
    if ls "$(rustc --print sysroot)"/lib/rustlib/*/lib/librustc-*_rt.asan.a >/dev/null 2>&1; then
        FUZZ_SANITIZER=address
    else
        FUZZ_SANITIZER=none
    fi
fi

echo "building fuzz targets (sanitizer $FUZZ_SANITIZER, target dir $CARGO_TARGET_DIR)"
if ! nice -n "$nice_level" cargo fuzz build --sanitizer "$FUZZ_SANITIZER" 2>&1 | tail -3; then
    echo "build failed" >&2
    exit 2
fi

crashed=0
results=()
for target in "${targets[@]}"; do
    corpus="fuzz/corpus/$target"
    mkdir -p "$corpus" "fuzz/artifacts/$target"
    log="$log_dir/$target.log"
    echo "running $target for ${seconds}s (log $log)"
    start=$(date +%s)
    # -timeout: one input taking this long is reported as a hang (a finding like a crash).
    nice -n "$nice_level" cargo fuzz run --sanitizer "$FUZZ_SANITIZER" "$target" "$corpus" -- \
        -max_total_time="$seconds" -timeout=30 -print_final_stats=1 >"$log" 2>&1
    status=$?
    # libFuzzer's own count of the seconds it fuzzed; the wall time also holds any rebuild.
    elapsed=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    [ -n "$elapsed" ] || elapsed=$(($(date +%s) - start))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    if [ -z "$runs" ]; then
        # A crash ends the run before the final stats: take the last progress line.
        runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
    fi
    if [ "$status" -eq 0 ]; then
        outcome="no crash"
    else
        crashed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        outcome="CRASH (exit $status) ${artifact:-see $log}"
    fi
    results+=("$(printf '%-22s %8s %14s  %s' "$target" "$elapsed" "${runs:-?}" "$outcome")")
done

echo
printf '%-22s %8s %14s  %s\n' target seconds executions result
printf '%s\n' "${results[@]}"
exit "$crashed"
