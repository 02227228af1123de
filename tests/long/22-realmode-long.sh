#!/usr/bin/env bash
# Real-mode emulator long runs.
#  1. Differential: REALMODE_OPS (default 10^7) random real-mode
#     instructions through the Rust realmode crate and Xen's own
#     x86_emulate() (built from the pinned source), outcome/registers/
#     defined flags/memory/I/O/segments compared after each, decoded
#     lengths cross-checked with iced-x86; a new seed every run unless
#     REALMODE_SEED is given (printed, so a failing run can be replayed).
#  2. Fuzzing: the cargo-fuzz target `emulate_one` for REALMODE_FUZZ_RUNS
#     executions (default 10^7; 0 skips it). cargo-fuzz is installed when
#     missing.
# One check per part.
set -uo pipefail
: "${TOP:?}" "${BUILD:?}" "${STEP_COUNTS:?}"
cd "$TOP/depriv-rs" || exit 1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$BUILD/target-realmode}
log=$BUILD/results/long/22-realmode-long.log
mkdir -p "$(dirname "$log")"
: > "$log"
pass=0 fail=0

seed=${REALMODE_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' \n')}
ops=${REALMODE_OPS:-10000000}
echo "realmode long differential: seed $seed, $ops instructions" | tee -a "$log"
nice cargo build --release -q -p difftest-realmode --example difflong 2>&1 | tee -a "$log"
if DIFF_SEED=$seed DIFF_OPS=$ops nice "$CARGO_TARGET_DIR/release/examples/difflong" 2>&1 | tee -a "$log" \
        && [ "${PIPESTATUS[0]}" -eq 0 ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAILED: replay with REALMODE_SEED=$seed REALMODE_OPS=$ops" | tee -a "$log"
fi

runs=${REALMODE_FUZZ_RUNS:-10000000}
if [ "$runs" -gt 0 ]; then
    if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
        echo "cargo-fuzz missing: installing it" | tee -a "$log"
        nice cargo +nightly install cargo-fuzz --locked 2>&1 | tail -2 | tee -a "$log"
    fi
    cd "$TOP/depriv-rs/realmode/fuzz" || exit 1
    # Separate target dir: nightly, sanitizer and coverage flags.
    export CARGO_TARGET_DIR=$BUILD/target-realmode-fuzz
    mkdir -p corpus/emulate_one
    flog=$BUILD/results/long/22-realmode-fuzz.log
    start=$(date +%s)
    nice cargo +nightly fuzz run emulate_one corpus/emulate_one -- \
        -runs="$runs" -max_len=160 -print_final_stats=1 > "$flog" 2>&1
    frc=$?
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|Done [0-9]+ runs|ERROR|panicked" "$flog" | tee -a "$log"
    echo "realmode fuzz: exit $frc after $(( $(date +%s) - start )) s" | tee -a "$log"
    if [ $frc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); tail -30 "$flog"; fi
fi
echo "$pass $fail" > "$STEP_COUNTS"
[ "$fail" -eq 0 ]
