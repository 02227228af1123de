#!/usr/bin/env bash
# vPIC long runs.
#  1. Differential: VPIC_OPS (default 10^8) random operations through the
#     Rust vpic and Xen's own vpic.c, state and every output compared after
#     each; a new seed every run unless VPIC_SEED is given (printed, so a
#     failing run can be replayed).
#  2. Fuzzing: the cargo-fuzz target `ops` for VPIC_FUZZ_RUNS executions
#     (default 10^7; 0 skips it).  cargo-fuzz is installed when missing.
# One check per part.
set -uo pipefail
: "${TOP:?}" "${BUILD:?}" "${STEP_COUNTS:?}"
cd "$TOP/depriv-rs" || exit 1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$BUILD/target-vpic}
log=$BUILD/results/long/20-vpic-long.log
mkdir -p "$(dirname "$log")"
: > "$log"
pass=0 fail=0

seed=${VPIC_SEED:-0x$(od -An -N8 -tx8 /dev/urandom | tr -d ' \n')}
ops=${VPIC_OPS:-100000000}
echo "vpic long differential: seed $seed, $ops ops" | tee -a "$log"
nice cargo build --release -q -p difftest-vpic --bin vpic-difftest 2>&1 | tee -a "$log"
if VPIC_SEED=$seed VPIC_OPS=$ops nice "$CARGO_TARGET_DIR/release/vpic-difftest" 2>&1 | tee -a "$log" \
        && [ "${PIPESTATUS[0]}" -eq 0 ]; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAILED: replay with VPIC_SEED=$seed VPIC_OPS=$ops" | tee -a "$log"
fi

runs=${VPIC_FUZZ_RUNS:-10000000}
if [ "$runs" -gt 0 ]; then
    if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
        echo "cargo-fuzz missing: installing it" | tee -a "$log"
        nice cargo +nightly install cargo-fuzz --locked 2>&1 | tail -2 | tee -a "$log"
    fi
    cd "$TOP/depriv-rs/vpic/fuzz" || exit 1
    # Separate target dir: nightly, sanitizer and coverage flags.
    export CARGO_TARGET_DIR=$BUILD/target-vpic-fuzz
    mkdir -p corpus/ops
    flog=$BUILD/results/long/20-vpic-fuzz.log
    start=$(date +%s)
    nice cargo +nightly fuzz run ops corpus/ops -- \
        -runs="$runs" -max_len=4096 -print_final_stats=1 > "$flog" 2>&1
    frc=$?
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|Done [0-9]+ runs|ERROR|panicked" "$flog" | tee -a "$log"
    echo "vpic fuzz: exit $frc after $(( $(date +%s) - start )) s" | tee -a "$log"
    if [ $frc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); tail -30 "$flog"; fi
fi
echo "$pass $fail" > "$STEP_COUNTS"
[ "$fail" -eq 0 ]
