#!/usr/bin/env bash
# vRTC long runs: (1) >= 10^7 random operations of the Rust vrtc against
# Xen's own rtc.c (new seed each run unless VRTC_SEED is set; VRTC_OPS
# overrides the count), (2) the cargo-fuzz target for VRTC_FUZZ_RUNS
# executions (default 10^7; 0 skips it).  Counts: one check per part.
set -uo pipefail
: "${TOP:?}" "${BUILD:?}" "${STEP_COUNTS:?}"
cd "$TOP/depriv-rs" || exit 1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$BUILD/target-vrtc}
log=$BUILD/results/long/21-vrtc-long.log
mkdir -p "$(dirname "$log")"
: > "$log"
pass=0 fail=0

seed=${VRTC_SEED:-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')}
ops=${VRTC_OPS:-12000000}
echo "vrtc long difftest: seed $seed, $ops ops" | tee -a "$log"
if VRTC_SEED=$seed VRTC_OPS=$ops nice cargo run --release -q -p difftest-vrtc --bin vrtc-difftest 2>&1 | tee -a "$log"; then
    [ "${PIPESTATUS[0]}" -eq 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))
else
    fail=$((fail + 1))
fi

runs=${VRTC_FUZZ_RUNS:-10000000}
if [ "$runs" -gt 0 ]; then
    if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
        echo "installing cargo-fuzz" | tee -a "$log"
        cargo +nightly install cargo-fuzz --locked 2>&1 | tail -2 | tee -a "$log"
    fi
    cd "$TOP/depriv-rs/vrtc/fuzz" || exit 1
    # Own target dir: the fuzz build uses nightly and sanitizer flags.
    export CARGO_TARGET_DIR=$BUILD/target-vrtc-fuzz
    mkdir -p corpus/vrtc_ops
    flog=$BUILD/results/long/21-vrtc-fuzz.log
    nice cargo +nightly fuzz run vrtc_ops corpus/vrtc_ops -- \
        -runs="$runs" -max_len=1024 -print_final_stats=1 > "$flog" 2>&1
    frc=$?
    grep -E "stat::number_of_executed_units|stat::average_exec_per_sec|Done [0-9]+ runs|ERROR|panicked" "$flog" | tee -a "$log"
    if [ $frc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); tail -30 "$flog"; fi
fi
echo "$pass $fail" > "$STEP_COUNTS"
[ "$fail" -eq 0 ]
