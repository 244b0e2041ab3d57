#!/usr/bin/env bash
# Fuzzes the whole path from bytes to results (parse, validate, render diagnostics, solve,
# format, simulate briefly) with cargo-fuzz / libFuzzer, for a bounded time.
#
# Usage: tests/fuzz/run.sh [SECONDS] [TARGET]
#   SECONDS  how long to fuzz (default 60)
#   TARGET   model (default) or overrides; see fuzz/fuzz_targets/
# Environment: FUZZ_SEED fixes libFuzzer's seed (CI); FUZZ_TIMEOUT is the wall-clock seconds
# one input may take before it counts as a hang (default 10; raise it when the fuzzer runs
# at low priority beside other work, which can starve it of CPU for seconds at a time).
#
# Installs cargo-fuzz when missing, builds the target (release, with debug assertions and
# overflow checks) and runs it on a working copy of the committed seed corpus under
# target/fuzz/, so the committed fuzz/corpus/ stays small; inputs the fuzzer finds
# interesting accumulate in the working copy across runs. The libFuzzer log goes to
# target/fuzz/logs/ (or $FUZZ_LOG). Exits non-zero when an input crashes, leaks, runs out of
# memory or times out, and prints the path of that input (reproduce it with
# `fuzz/target/<triple>/release/<target> <path>`, then add it to tests/suite/fuzz_regressions.rs).
# The stable toolchain is enough: RUSTC_BOOTSTRAP=1 unlocks the sanitizer flags cargo-fuzz uses.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
seconds="${1:-60}"
target="${2:-model}"
timeout="${FUZZ_TIMEOUT:-10}"
export CARGO_TERM_COLOR=never

if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "error: SECONDS must be a positive whole number, not '$seconds'" >&2
    exit 2
fi
if ! [[ "$timeout" =~ ^[0-9]+$ ]] || [ "$timeout" -lt 1 ]; then
    echo "error: FUZZ_TIMEOUT must be a positive whole number of seconds, not '$timeout'" >&2
    exit 2
fi
if [ ! -f "fuzz/fuzz_targets/$target.rs" ]; then
    echo "error: no fuzz target '$target' (fuzz/fuzz_targets/ has: $(cd fuzz/fuzz_targets && ls | sed 's/\.rs$//' | tr '\n' ' '))" >&2
    exit 2
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed; installing it (cargo install cargo-fuzz --locked)"
    cargo install cargo-fuzz --locked
fi

# Build. `-a`: debug assertions and overflow checks, so arithmetic overflow is a crash too.
(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz build -a "$target")
triple="$(rustc -vV | sed -n 's/^host: //p')"
binary="$root/fuzz/target/$triple/release/$target"

work="$root/target/fuzz"
corpus="$work/corpus/$target"
artifacts="$work/artifacts/$target"
mkdir -p "$corpus" "$artifacts" "$work/logs"
cp -R "fuzz/corpus/$target/." "$corpus/"
log="${FUZZ_LOG:-$work/logs/$target-$(date +%Y%m%d-%H%M%S).log}"
before="$(find "$artifacts" -type f | sort)"

echo "fuzzing '$target' for ${seconds}s on $(find "$corpus" -type f | wc -l) inputs; log: $log"
status=0
# -detect_leaks=0: LeakSanitizer reports the 64 bytes glibc allocates to register the
# thread-local destructors of each short-lived simulation worker thread
# (__cxa_thread_atexit_impl), freed only at thread exit; not a defect of nines.
"$binary" "$corpus" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    -detect_leaks=0 \
    -max_total_time="$seconds" \
    -timeout="$timeout" \
    -rss_limit_mb=2048 \
    -dict="$root/fuzz/model.dict" \
    -artifact_prefix="$artifacts/" \
    -print_final_stats=1 \
    >"$log" 2>&1 || status=$?

# libFuzzer's closing lines: "Done N runs in S second(s)" and the stat:: lines.
grep -E '^(Done [0-9]+ runs|stat::)' "$log" || true
grep -E '^#[0-9]+' "$log" | tail -n 1 || true

after="$(find "$artifacts" -type f | sort)"
new="$(comm -13 <(echo "$before") <(echo "$after") | sed '/^$/d')"
if [ "$status" -ne 0 ] || [ -n "$new" ]; then
    echo "---- last lines of $log ----"
    tail -n 60 "$log"
    echo "error: fuzz target '$target' failed (libFuzzer exit status $status)" >&2
    for input in $new; do
        echo "crashing input: $input" >&2
    done
    exit 1
fi
echo "no crashes: fuzz target '$target' ran ${seconds}s"
